"""The audit trail's hash chains: every subject (a case, a credit record, a user, a policy...)
has one chain of events. Each event carries the hash of the event before it in its chain
(`prev_hash`, empty for the first) and its own hash over its canonical content and that link
(`hash`), made with the algorithm it names (`hash_algorithm`: sha256 or sm3, AUDIT_HASH_ALGORITHM
at the time of writing). Changing, removing or inserting an event breaks the chain from there
on; verify() (manage.py verify_audit) finds the first broken link.

Writers append under a lock on the chain's head row (AuditChainHead: SELECT ... FOR UPDATE, or
an upsert where a chain is new): two writers on one chain take turns, so the chain never forks.
A batch (the sweep's thousands of events) locks all its heads in one statement, in key order,
links its events in Python and moves the heads in a second statement: two statements a batch,
whatever its size, and the events themselves are still written by COPY.

The canonical content must never change: old events are verified with it."""

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router, transaction
from django.utils import timezone

from cases.core.models import AuditChainHead, AuditEvent
from cases.infra.bulk import insert_rows

ALGORITHMS = ("sha256", "sm3")
# What an event's hash covers, in this order (attnames of AuditEvent), its subject type given
# by its natural key ("cases.case") so that the hash does not depend on the database's ids.
CONTENT = (
    "subject_type_id", "subject_id", "reference", "event_type", "actor_id",
    "from_state", "to_state", "payload", "created_at", "prev_hash",
)  # fmt: skip
# The fields a bulk row may leave out, with what the ORM would give them.
_OPTIONAL = ("reference", "actor_id", "from_state", "to_state", "payload", "created_at")


class UnknownHashAlgorithm(ValueError):
    pass


def _sm3_openssl(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


def _sm3_gmssl(data: bytes) -> str:
    from gmssl import func, sm3  # pure Python, about 3 ms a hash: only where OpenSSL has no SM3

    return sm3.sm3_hash(func.bytes_to_list(data))


# OpenSSL's SM3 (thousands of times faster) where the system's OpenSSL has it, gmssl otherwise.
sm3_hexdigest = _sm3_openssl if "sm3" in hashlib.algorithms_available else _sm3_gmssl


def digest(algorithm: str, data: bytes) -> str:
    if algorithm == "sha256":
        return hashlib.sha256(data).hexdigest()
    if algorithm == "sm3":
        return sm3_hexdigest(data)
    raise UnknownHashAlgorithm(algorithm)


def current_algorithm() -> str:
    algorithm = settings.AUDIT_HASH_ALGORITHM
    if algorithm not in ALGORITHMS:
        raise ImproperlyConfigured(f"AUDIT_HASH_ALGORITHM must be one of {ALGORITHMS}, not {algorithm!r}")
    return algorithm


def subject_label(subject_type_id: int) -> str:
    content_type = ContentType.objects.get_for_id(subject_type_id)
    return f"{content_type.app_label}.{content_type.model}"


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _number(text: str) -> float | int:
    # PostgreSQL's jsonb gives 1e+20 back as 100000000000000000000: a float that is a whole
    # number counts as that whole number, on writing and on reading alike.
    value = float(text)
    return int(value) if value.is_integer() else value


_PLAIN = {str, int, bool, type(None)}


def _as_stored(payload):
    """The payload as the database gives it back. A flat dict of text, whole numbers, booleans
    and nulls (every sweep's) comes back as it went in; anything else takes the round trip."""
    if type(payload) is dict and all(type(k) is str and type(v) in _PLAIN for k, v in payload.items()):
        return payload
    return json.loads(json.dumps(payload), parse_float=_number)


def canonical(row: dict, label: str) -> bytes:
    """An event's content as the bytes its hash is taken over: one JSON array, keys sorted, no
    spaces, UTF-8. The payload is taken as the database gives it back (tuples as lists, keys as
    strings, whole numbers as integers)."""
    payload = _as_stored(row["payload"])
    actor = row["actor_id"]
    content = [
        label, int(row["subject_id"]), row["reference"], row["event_type"], None if actor is None else int(actor),
        row["from_state"], row["to_state"], payload, utc_iso(row["created_at"]), row["prev_hash"],
    ]  # fmt: skip
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def event_hash(row: dict, label: str, algorithm: str) -> str:
    return digest(algorithm, canonical(row, label))


# --- writing -------------------------------------------------------------------------------------


def _upsert_heads(cursor, table: str, keys: list[tuple[int, int]], postgresql: bool) -> list[tuple]:
    """Lock the heads of these chains, creating those that have none yet: the upsert locks each
    row it returns, in key order."""
    if postgresql:
        cursor.execute(
            f"""INSERT INTO {table} AS head (subject_type_id, subject_id, last_hash, length)
            SELECT k.t, k.s, '', 0 FROM unnest(%s::integer[], %s::bigint[]) AS k(t, s) ORDER BY k.t, k.s
            ON CONFLICT (subject_type_id, subject_id) DO UPDATE SET length = head.length
            RETURNING id, subject_type_id, subject_id, last_hash, length""",
            [[t for t, _s in keys], [s for _t, s in keys]],
        )
        return cursor.fetchall()
    found = []
    for start in range(0, len(keys), 2000):  # SQLite's limit on parameters
        chunk = keys[start : start + 2000]
        cursor.execute(
            f"""INSERT INTO {table} (subject_type_id, subject_id, last_hash, length)
            VALUES {", ".join(["(%s, %s, '', 0)"] * len(chunk))}
            ON CONFLICT (subject_type_id, subject_id) DO UPDATE SET length = length
            RETURNING id, subject_type_id, subject_id, last_hash, length""",
            [value for key in chunk for value in key],
        )
        found += cursor.fetchall()
    return found


def _lock_heads(connection, keys: list[tuple[int, int]]) -> dict[tuple[int, int], tuple[int, str, int]]:
    """Lock the heads of these chains, creating those that do not exist yet, in one pass in key
    order (so that two writers never wait for each other in a circle); {key: (head id, last hash,
    length)}.

    One key, or some chain new: one upsert over all keys, which locks each row it returns. A batch
    whose chains all exist (the sweep's, as a rule) on PostgreSQL: SELECT ... FOR UPDATE, which
    writes no new row version; should a chain turn out new, those locks are let go (savepoint)
    and the upsert takes them all again in order."""
    table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql and len(keys) > 1:
            savepoint = transaction.savepoint(using=connection.alias)
            cursor.execute(
                f"""SELECT head.id, head.subject_type_id, head.subject_id, head.last_hash, head.length
                FROM {table} AS head JOIN unnest(%s::integer[], %s::bigint[]) AS k(t, s)
                ON head.subject_type_id = k.t AND head.subject_id = k.s
                ORDER BY head.subject_type_id, head.subject_id FOR UPDATE OF head""",
                [[t for t, _s in keys], [s for _t, s in keys]],
            )
            found = cursor.fetchall()
            if len(found) == len(keys):
                transaction.savepoint_commit(savepoint, using=connection.alias)
                return {(t, s): (pk, h, n) for pk, t, s, h, n in found}
            transaction.savepoint_rollback(savepoint, using=connection.alias)
        return {(t, s): (pk, h, n) for pk, t, s, h, n in _upsert_heads(cursor, table, keys, postgresql)}


def _move_heads(connection, heads: dict[tuple[int, int], tuple[int, str, int]]) -> None:
    table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    rows = sorted(heads.values())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"""UPDATE {table} AS head SET last_hash = k.h, length = k.n
                FROM unnest(%s::bigint[], %s::varchar[], %s::bigint[]) AS k(id, h, n) WHERE head.id = k.id""",
                [list(column) for column in zip(*rows, strict=True)],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET last_hash = %s, length = %s WHERE id = %s", [(h, n, pk) for pk, h, n in rows]
            )


def link(rows: list[dict], using: str) -> list[dict]:
    """Give each new event (a dict of AuditEvent attnames) its place in its chain: prev_hash,
    hash and hash_algorithm, in the order of `rows`. Locks the chains' heads until the end of
    the transaction, which must also write the rows."""
    if not rows:
        return rows
    connection = connections[using]
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("audit events are linked inside the transaction that writes them")
    algorithm = current_algorithm()
    heads = _lock_heads(connection, sorted({(row["subject_type_id"], row["subject_id"]) for row in rows}))
    labels: dict[int, str] = {}
    for row in rows:
        key = (row["subject_type_id"], row["subject_id"])
        if key[0] not in labels:
            labels[key[0]] = subject_label(key[0])
        head_id, last_hash, length = heads[key]
        row["prev_hash"] = last_hash
        row["hash_algorithm"] = algorithm
        row["hash"] = event_hash(row, labels[key[0]], algorithm)
        heads[key] = (head_id, row["hash"], length + 1)
    _move_heads(connection, heads)
    return rows


def _with_defaults(row: dict, now: datetime) -> dict:
    for name in _OPTIONAL:
        if name not in row:
            row[name] = now if name == "created_at" else AuditEvent._meta.get_field(name).get_default()
    return row


def insert(rows: list[dict]) -> None:
    """The bulk writer of the trail (the sweep, the record watch): rows of AuditEvent attnames,
    linked into their chains and written by insert_rows (COPY on PostgreSQL)."""
    if not rows:
        return
    using = router.db_for_write(AuditEvent)
    now = timezone.now()
    with transaction.atomic(using=using, savepoint=False):
        insert_rows(AuditEvent, link([_with_defaults(dict(row), now) for row in rows], using))


def _row_of(event: AuditEvent) -> dict:
    if event.created_at is None:
        event.created_at = timezone.now()
    return {name: getattr(event, name) for name in CONTENT if name != "prev_hash"}


def _sealed(events: list[AuditEvent], using: str) -> list[AuditEvent]:
    rows = link([_row_of(event) for event in events], using)
    for event, row in zip(events, rows, strict=True):
        event.prev_hash, event.hash, event.hash_algorithm = row["prev_hash"], row["hash"], row["hash_algorithm"]
    return events


def append(event: AuditEvent) -> AuditEvent:
    """Write one new event at the end of its chain."""
    using = router.db_for_write(AuditEvent)
    with transaction.atomic(using=using, savepoint=False):
        _sealed([event], using)[0].save(using=using)
    return event


def append_many(events: list[AuditEvent]) -> list[AuditEvent]:
    """Write new events in one statement (bulk_create, ids given back), linked in list order."""
    using = router.db_for_write(AuditEvent)
    with transaction.atomic(using=using, savepoint=False):
        return AuditEvent.objects.using(using).bulk_create(_sealed(events, using))


# --- verifying ----------------------------------------------------------------------------------


@dataclass
class Break:
    """The first broken link found: which event (None when the chain has none left), which
    chain, what was expected and what was found."""

    chain: str
    event_id: int | None
    what: str
    expected: str
    found: str

    def __str__(self):
        where = f"event {self.event_id}" if self.event_id is not None else "no event"
        return f"chain {self.chain}, {where}: {self.what} expected {self.expected}, found {self.found}"


@dataclass
class Verification:
    chains: int = 0
    events: int = 0
    broken: Break | None = None


def _chains(events: Iterable[tuple]) -> Iterator[tuple[tuple[int, int], list[tuple]]]:
    key, chain = None, []
    for event in events:
        if (event[1], event[2]) != key:
            if chain:
                yield key, chain
            key, chain = (event[1], event[2]), []
        chain.append(event)
    if chain:
        yield key, chain


def _check_chain(key, events: list[tuple], head, labels) -> Break | None:
    chain = f"{labels(key[0])}#{key[1]}"
    expected_prev = ""
    for values in events:
        event_id, row = values[0], dict(zip(CONTENT, values[1:11], strict=True))
        found_hash, algorithm = values[11], values[12]
        if row["prev_hash"] != expected_prev:
            return Break(
                chain, event_id, "previous hash", expected_prev or "(start of chain)", row["prev_hash"] or "''"
            )
        try:
            expected = event_hash(row, labels(key[0]), algorithm)
        except UnknownHashAlgorithm:
            return Break(chain, event_id, "hash algorithm", " or ".join(ALGORITHMS), repr(algorithm))
        if found_hash != expected:
            return Break(chain, event_id, "hash", expected, found_hash)
        expected_prev = found_hash
    if head is None:
        return Break(chain, events[-1][0], "chain head", f"{len(events)} events ending in {expected_prev}", "none")
    if (head[2], head[3]) != (expected_prev, len(events)):
        return Break(
            chain,
            events[-1][0],
            "chain head (events missing after this one?)",
            f"{head[3]} events ending in {head[2]}",
            f"{len(events)} events ending in {expected_prev}",
        )
    return None


def verify(using: str | None = None, chunk_size: int = 5000) -> Verification:
    """Walk every chain in order (one pass over the trail, sorted by chain, and one over the heads)
    and stop at the first broken link."""
    using = using or router.db_for_read(AuditEvent)
    if connections[using].vendor != "postgresql" or connections[using].in_atomic_block:
        return _verify(using, chunk_size)
    # The trail and the heads read in one snapshot: writers appending meanwhile are not breaks.
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return _verify(using, chunk_size)


def _verify(using: str, chunk_size: int) -> Verification:
    result = Verification()
    label_cache: dict[int, str] = {}

    def labels(type_id: int) -> str:
        if type_id not in label_cache:
            label_cache[type_id] = subject_label(type_id)
        return label_cache[type_id]

    events = (
        AuditEvent.objects.using(using)
        .order_by("subject_type_id", "subject_id", "id")
        .values_list("id", *CONTENT, "hash", "hash_algorithm")
        .iterator(chunk_size=chunk_size)
    )
    heads = iter(
        AuditChainHead.objects.using(using)
        .order_by("subject_type_id", "subject_id")
        .values_list("subject_type_id", "subject_id", "last_hash", "length")
        .iterator(chunk_size=chunk_size)
    )
    head = next(heads, None)
    for key, chain in _chains(events):
        # Heads before this chain have no event at all.
        while head is not None and (head[0], head[1]) < key:
            if head[3]:
                result.broken = Break(
                    f"{labels(head[0])}#{head[1]}", None, "chain head", f"{head[3]} events", "no events"
                )
                return result
            head = next(heads, None)
        matching = head if head is not None and (head[0], head[1]) == key else None
        result.chains += 1
        result.events += len(chain)
        broken = _check_chain(key, chain, matching, labels)
        if broken:
            result.broken = broken
            return result
        if matching is not None:
            head = next(heads, None)
    while head is not None:
        if head[3]:
            result.broken = Break(f"{labels(head[0])}#{head[1]}", None, "chain head", f"{head[3]} events", "no events")
            return result
        head = next(heads, None)
    return result
