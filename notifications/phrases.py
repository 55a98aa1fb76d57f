"""Words stored to be said later: an English msgid (with an optional pgettext context) and its
params, rendered in whatever language is active when they are read.

Why: a notification is written once, in the language of whoever caused it (or of no one, when a
worker's sweep writes it), and read later by people in either language, on the inbox page, in a
live toast, by e-mail or by text message. Django's lazy strings (gettext_lazy) render late but
cannot be stored: they are Python objects with no serialised form. A Phrase is their storable
counterpart; it translates with Django's own gettext/pgettext when it is rendered.

A param is a Phrase itself when it is a label that translates too (a verdict, a deadline's step, a
subject), a Named when it is a name kept in both languages (a department's, a channel's), or
plain data that stays as it is (numbers, dates, case numbers, names and text that people typed).
A lazy label (a TextChoices label, a gettext_lazy string) given as a param is kept as a Phrase of
its msgid (its pgettext context, if any, is not kept: give such a label as a Phrase)."""

import contextlib
import datetime
from contextvars import ContextVar
from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext


class Phrase:
    __slots__ = ("context", "msgid", "params")

    def __init__(self, msgid: str, *, context: str = "", **params):
        self.msgid, self.context = msgid, context
        self.params = {key: kept(value) for key, value in params.items()}

    def render(self) -> str:
        text = _translated(self.context, self.msgid)
        if not self.params:
            return text
        return text % {key: _said(value) for key, value in self.params.items()}

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Phrase({self.msgid!r}, {self.params!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Phrase) and dump(self) == dump(other)

    def __hash__(self) -> int:
        return hash((self.msgid, self.context))


# Translations looked up within said_in(): {(context, msgid): text}, or None outside it.
_catalogue_memo: ContextVar[dict | None] = ContextVar("phrase_catalogue_memo", default=None)


@contextlib.contextmanager
def said_in(language: str):
    """Render many Phrases in one language: each msgid is looked up in the catalogue once.

    Why: a sweep renders tens of thousands of notifications from a handful of msgids, and each of
    Django's gettext calls reads the active translation through asgiref's context-local storage
    (about 14 µs); with one override and a memo the same text costs a dict lookup. Nothing inside
    may switch language (the memo would answer in this one)."""
    with translation.override(language):
        token = _catalogue_memo.set({})
        try:
            yield
        finally:
            _catalogue_memo.reset(token)


def _translated(context: str, msgid: str) -> str:
    memo = _catalogue_memo.get()
    if memo is None:
        return pgettext(context, msgid) if context else gettext(msgid)
    key = (context, msgid)
    text = memo.get(key)
    if text is None:
        text = memo[key] = pgettext(context, msgid) if context else gettext(msgid)
    return text


class Joined:
    """Several pieces said one after the other (paragraphs of a message), each rendered on its own."""

    __slots__ = ("parts", "separator")

    def __init__(self, parts, separator="\n\n"):
        self.parts = [kept(part) for part in parts]
        self.separator = kept(separator)  # text, or a Phrase where punctuation differs by language

    def render(self) -> str:
        return render(self.separator).join(render(part) for part in self.parts)

    def __str__(self) -> str:
        return self.render()

    def __eq__(self, other) -> bool:
        return isinstance(other, Joined) and dump(self) == dump(other)

    def __hash__(self) -> int:
        return hash(len(self.parts))


class Named:
    """A name the office keeps in Chinese and, where it has one, in English (a department's
    name_zh and name_en): read in English only on the English side and only if there is one."""

    __slots__ = ("en", "zh")

    def __init__(self, zh: str, en: str = ""):
        self.zh, self.en = zh, en

    def render(self) -> str:
        if (translation.get_language() or settings.LANGUAGE_CODE).startswith("zh") or not self.en:
            return self.zh
        return self.en

    def __str__(self) -> str:
        return self.render()

    def __eq__(self, other) -> bool:
        return isinstance(other, Named) and (self.zh, self.en) == (other.zh, other.en)

    def __hash__(self) -> int:
        return hash((self.zh, self.en))


def named(thing) -> Named:
    """The Named of a thing with name_zh and name_en fields (a department)."""
    return Named(thing.name_zh, thing.name_en)


def kept(value):
    """A param as it is stored: lazy labels become Phrases of their msgid, dates their ISO text."""
    if isinstance(value, Promise):
        with translation.override(None):  # no catalogue: the lazy string gives back its msgid
            return Phrase(str(value))
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _said(value):
    """A param as the msgid's placeholder takes it: words rendered, numbers left numbers (%d)."""
    return value.render() if isinstance(value, (Phrase, Joined, Named)) else value


def render(value) -> str:
    """A Phrase, a Joined or plain data, as text in the active language."""
    if isinstance(value, (Phrase, Joined, Named)):
        return value.render()
    return "" if value is None else str(value)


def is_phrased(value) -> bool:
    return isinstance(value, (Phrase, Joined))


def dump(value):
    """The JSON form of a Phrase, a Joined or plain data."""
    if isinstance(value, Phrase):
        data = {"msgid": value.msgid, "params": {key: dump(param) for key, param in value.params.items()}}
        if value.context:
            data["context"] = value.context
        return data
    if isinstance(value, Joined):
        return {"join": dump(value.separator), "parts": [dump(part) for part in value.parts]}
    if isinstance(value, Named):
        return {"zh": value.zh, "en": value.en}
    return value


def load(data):
    """What dump() wrote, back as a Phrase, a Joined or plain data."""
    if isinstance(data, dict) and "msgid" in data:
        params = {key: load(param) for key, param in data.get("params", {}).items()}
        return Phrase(data["msgid"], context=data.get("context", ""), **params)
    if isinstance(data, dict) and "join" in data:
        return Joined([load(part) for part in data["parts"]], load(data["join"]))
    if isinstance(data, dict) and "zh" in data:
        return Named(data["zh"], data.get("en", ""))
    return data
