"""Every page each demo role can reach, in both languages, reads as words a person knows: no event
keys (`complaint.received`), no state codes (`in_progress`), no internal channel references
(`WEB-<32 hex>`), no untranslated English in the Chinese pages and no Chinese in the English
pages beyond the proper names of the demo data (people, departments, companies, bodies, places).

The crawl follows same-site links (GET only) from each person's home and top bar, a bounded number
of pages per kind of address, and reads the visible text only (no tags, scripts or styles)."""

import re
from collections import deque
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from cases.core import states
from cases.core.models import Case

ROLES = ["qiye", "geren", "dengji", "banli", "banli2", "kezhang", "duban", "admin", "anquan", "shenji"]
LANGUAGES = ["zh-hans", "en"]
MAX_DEPTH = 3
PER_PATTERN = 2  # pages visited per kind of address (/cases/1/ and /cases/2/ are one kind)
SKIPPED = ("/logout", "/accounts/logout", "/admin/", "/api/", "/static/", "/media/", "/i18n/", "/healthz")
# Downloads and pages that only answer a POST; a page of a file is not words.
DOWNLOADS = re.compile(r"\.(pdf|csv|xlsx|zip|png|jpg)$|/(download|export|pdf|file|files|stream)(/|$)")

EVENT_KEY = re.compile(
    r"\b(case|task|deadline|repair|complaint|arrears|objection|supervision|record|policy|user|identity|party)"
    r"\.[a-z_]+\b"
)
INTERNAL_REFERENCE = re.compile(r"WEB-[0-9a-f]{32}")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")
# A document number is a code: 甘市监罚〔2026〕12号, 信修〔2026〕3号.
DOCUMENT_NUMBER = re.compile(r"\S*〔\d{4}〕\S*?号")
LANGUAGE_SWITCH = "中文"  # the switch back to Chinese reads in Chinese
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")


def state_codes() -> set[str]:
    """The stored state values that cannot be mistaken for a word (`in_progress`, `under_review`)."""
    codes = set()
    for name in dir(states):
        enum = getattr(states, name)
        if isinstance(enum, type) and hasattr(enum, "values") and hasattr(enum, "choices"):
            codes |= {value for value in enum.values if isinstance(value, str) and "_" in value}
    return codes


# Words the Chinese pages may show as they are: codes, units, brands and abbreviations the office
# writes in Latin letters.
ZH_ALLOWED_LATIN = {
    "Chengxin", "English", "PDF", "CSV", "Excel", "SMS", "ID", "API", "WEB", "APP", "App", "OIDC",
    "USCC", "No", "pdf", "jpg", "png", "csv", "xlsx", "docx", "doc", "zip", "MB", "KB", "GB", "QQ", "bytes",
    # the authenticator apps the two-step sign-in names
    "Google", "Microsoft", "Authenticator", "FreeOTP",
}  # fmt: skip


class VisibleText(HTMLParser):
    """The text a person reads, and the same-site links they can follow. Text inside an element
    marked `data-stored-text` (text read as it was stored, e.g. typed into a notification) is kept apart."""

    HIDDEN = {"script", "style", "template", "noscript", "head"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stored: list[str] = []
        self.links: list[str] = []
        self._hidden = 0
        self._stored_tag = ""
        self._stored_depth = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in self.HIDDEN:
            self._hidden += 1
        if self._stored_depth and tag == self._stored_tag:
            self._stored_depth += 1
        elif "data-stored-text" in attributes and not self._stored_depth:
            self._stored_tag, self._stored_depth = tag, 1
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1
        if self._stored_depth and tag == self._stored_tag:
            self._stored_depth -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            (self.stored if self._stored_depth else self.parts).append(data.strip())

    @property
    def text(self) -> str:
        return "\n".join(self.parts)


def pattern_of(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def proper_names() -> set[str]:
    """The names of the demo data a page may show in Chinese whatever the language."""
    from cases.complaints.models import Complaint, IntegrityEntry, RespondentBody
    from cases.core.models import CreditRecord, Party, ReplyPhrase
    from cases.repair.models import RepairApplication

    names: set[str] = set()
    user_model = get_user_model()
    for full_name, entity_name in user_model.objects.values_list("full_name", "entity_name"):
        names |= {full_name, entity_name}
    names |= set(RespondentBody.objects.values_list("name", flat=True))
    # What people wrote (a complaint's subject and facts, a statement, a record's summary) stays as written.
    fields = ("complainant_name", "enterprise_name", "respondent", "subject", "facts", "answer", "rejection_reason",
              "rectification_evidence", "refusal_statement", "withdrawal_reason", "return_reason")  # fmt: skip
    for values in Complaint.objects.values_list(*fields):
        names |= set(values)
    names |= set(Party.objects.values_list("name", flat=True))
    for values in IntegrityEntry.objects.values_list("summary", "finding", "repair_note"):
        names |= set(values)
    names |= set(CreditRecord.objects.values_list("summary", flat=True))
    names |= set(RepairApplication.objects.values_list("statement", flat=True))
    names |= set(Case.objects.values_list("title", flat=True))
    for values in ReplyPhrase.objects.values_list("title", "text"):  # a department's own reply phrases
        names |= set(values)
    return {name for name in names if name}


def problems_on(text: str, language: str, codes: set[str], names: list[str]) -> list[str]:
    found = []
    found += [f"event key {m.group(0)!r}" for m in EVENT_KEY.finditer(text)]
    found += [f"internal reference {m.group(0)!r}" for m in INTERNAL_REFERENCE.finditer(text)]
    found += [f"state code {word!r}" for word in re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", text) if word in codes]
    if language == "zh-hans":
        plain = re.sub(r"\S+@\S+|https?://\S+|\S+\.(?:pdf|jpe?g|png|xlsx|csv)\b", " ", text)
        for word in LATIN_WORD.findall(plain):
            if word not in ZH_ALLOWED_LATIN and not re.fullmatch(r"[A-Z0-9-]+", word):
                found.append(f"English in a Chinese page {word!r}")
    else:
        for name in names:
            text = text.replace(name, " ")
        text = DOCUMENT_NUMBER.sub(" ", text).replace(LANGUAGE_SWITCH, " ")
        found += [f"Chinese in an English page {run!r}" for run in CJK.findall(text)]
    return found


def crawl(client, starts: list[str], language: str, codes: set[str], names: list[str]) -> dict[str, list[str]]:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    seen: set[str] = set()
    per_pattern: dict[str, int] = {}
    queue = deque((start, 0) for start in starts)
    report: dict[str, list[str]] = {}
    while queue:
        url, depth = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        kind = pattern_of(urlsplit(url).path)
        if depth and per_pattern.get(kind, 0) >= PER_PATTERN:  # a start page is always read
            continue
        per_pattern[kind] = per_pattern.get(kind, 0) + 1
        response = client.get(url, follow=True)
        if response.redirect_chain:
            url = response.redirect_chain[-1][0]
            seen.add(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = VisibleText()
        page.feed(response.content.decode())
        # What reads as it was stored (a notification's text typed by a person, an older
        # notification without phrases) is in the office's language: the Chinese pages check it too.
        text = page.text if language != "zh-hans" else "\n".join([page.text, *page.stored])
        found = problems_on(text, language, codes, names)
        if found:
            report[url] = sorted(set(found))
        if depth >= MAX_DEPTH:
            continue
        for href in page.links:
            target = urlsplit(urljoin(url, href))
            if target.scheme not in ("", "http") or target.netloc not in ("", "testserver"):
                continue
            path = target.path
            if path.startswith(SKIPPED) or DOWNLOADS.search(path):
                continue
            link = path + (f"?{target.query}" if target.query else "")
            if link not in seen:
                queue.append((link, depth + 1))
    return report


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=StringIO())
    names = sorted(proper_names(), key=len, reverse=True)
    return {"codes": state_codes(), "names": names}


def home_pages(client) -> list[str]:
    response = client.get("/home/")
    page = VisibleText()
    page.feed(response.content.decode())
    return ["/home/", *[link for link in page.links if link.startswith("/") and not link.startswith(SKIPPED)]]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("username", ROLES)
def test_every_page_a_demo_person_reaches_reads_in_their_language(client, demo, username, language):
    client.force_login(get_user_model().objects.get(username=username))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    report = crawl(client, home_pages(client), language, demo["codes"], demo["names"])
    assert report == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_public_pages_and_a_tracked_case_read_in_their_language(client, demo, language):
    starts = ["/", "/track/"]
    for case in Case.objects.exclude(verification_code="").order_by("pk")[:12]:
        starts.append(f"/track/?number={case.number}&code={case.verification_code}")
    report = crawl(client, starts, language, demo["codes"], demo["names"])
    assert report == {}
