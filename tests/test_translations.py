"""The zh-hans catalog is complete and its compiled form is current (pages are zh-hans first)."""

from pathlib import Path

import polib

CATALOG = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_every_message_has_a_chinese_translation():
    po = polib.pofile(str(CATALOG / "django.po"))
    missing = [entry.msgid for entry in po if entry.msgid and (not entry.translated() or "fuzzy" in entry.flags)]
    assert missing == []


def test_the_compiled_catalog_matches_the_source():
    po = polib.pofile(str(CATALOG / "django.po"))
    mo = polib.mofile(str(CATALOG / "django.mo"))
    compiled = {(entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural for entry in mo if entry.msgid}
    source = {(entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural for entry in po if entry.msgid}
    assert compiled == source, "run `make messages` (or msgfmt) to recompile django.mo"
