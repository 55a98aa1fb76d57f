"""Personal data masked for exports and lists (docs/domain.md, "Who may see what"): names of natural
persons, resident ID numbers and telephone numbers, also where they appear inside free text."""

import re

from django.core.exceptions import ValidationError

from cases.core import identifiers

# A resident ID or a mobile number standing on its own (not part of a longer run of characters).
# What the retention task (cases/core/retention.py) puts in place of a name, a phone or an ID
# number: stored data, not a page's text; masking leaves it as it is.
ANONYMISED = "已匿名化"

_RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
# A landline with its area code: 0931-8881234, 09318881234, (0931)8881234.
_LANDLINE = re.compile(r"(?<!\d)\(?0\d{2,3}\)?[- ]?\d{7,8}(?!\d)")


def mask_name(name) -> str:
    """A natural person's name: the first character kept, and the last one of a longer name.

    张三 → 张*, 李小明 → 李*明, 欧阳小明 → 欧**明.
    """
    name = str(name or "").strip()
    if name == ANONYMISED:
        return name
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone) -> str:
    """A telephone number: the first 3 and the last 4 digits kept (138****5678)."""
    phone = str(phone or "").strip()
    if phone == ANONYMISED:
        return phone
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_resident_id(value) -> str:
    """A resident ID number: the first 6 and the last 4 characters kept."""
    return identifiers.mask_resident_id(value)


def _is_resident_id(candidate: str) -> bool:
    try:
        identifiers.validate_resident_id(candidate)
    except ValidationError:
        return False
    return True


def mask_text(text) -> str:
    """Free text with the resident ID numbers and telephone numbers in it masked.

    Only strings that pass the resident ID check are taken for ID numbers, so an all-digit unified
    social credit code or a contract number is left as it is. Names inside free text cannot be
    recognised reliably: exports show free text that names people only where it must.
    """
    text = str(text or "")
    text = _RESIDENT_ID.sub(lambda m: mask_resident_id(m.group()) if _is_resident_id(m.group()) else m.group(), text)
    text = _MOBILE.sub(lambda m: mask_phone(m.group()), text)
    return _LANDLINE.sub(lambda m: mask_phone(m.group()), text)


def scrub_text(text) -> str:
    """Free text with the resident ID numbers and telephone numbers in it replaced by ANONYMISED
    (the retention task's, where mask_text keeps part of each)."""
    text = str(text or "")
    text = _RESIDENT_ID.sub(lambda m: ANONYMISED if _is_resident_id(m.group()) else m.group(), text)
    return _LANDLINE.sub(ANONYMISED, _MOBILE.sub(ANONYMISED, text))
