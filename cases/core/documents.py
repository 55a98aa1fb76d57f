"""Notices as PDF (WeasyPrint, Noto CJK fonts), laid out as GB/T 9704-2012 asks, sealed and signed.

A notice's facts are frozen when it is issued (the wording that depends on the record's type, the
remedy clause and the contact line among them); the PDF is rendered from them on first download,
the deciding unit's seal image placed over the date, signed with the unit's key (PAdES, pyHanko)
and kept. A unit without a key still gets its notices, unsigned: the office cannot stop issuing
them for want of a certificate; `Notice.signed` says which were signed and the department admin
shows which units have no key.

Document numbers (发文字号) follow the standard: the unit's abbreviation, the family of the notice,
the year in 〔〕 and a serial number per unit, year and family, e.g. 甘州市监信修〔2026〕3号.
"""

import base64
import logging
from datetime import date
from io import BytesIO

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from cases.core import masking, policies
from cases.core.models import Case, CreditRecord, Department, Notice, NoticeKind, NoticeSequence

logger = logging.getLogger(__name__)

# The family (机关代字 after the unit's abbreviation) each kind is numbered in. A kind not listed
# here (a new one) is numbered with the repair decisions unless its name says otherwise.
KIND_FAMILY = {
    NoticeKind.REPAIR_ADVICE: "信告",
    NoticeKind.ACCEPTANCE: "信受",
    NoticeKind.CORRECTION: "信受",
    NoticeKind.NON_ACCEPTANCE: "信受",
    NoticeKind.REPAIR_DECISION: "信修",
    NoticeKind.REFUSAL_DECISION: "信修",
    "revocation_decision": "信修",
}
OBJECTION_FAMILY = "信异"
DEFAULT_FAMILY = "信修"

# The notices that decide something the applicant may challenge carry the remedy clause: these,
# and every kind whose name ends in "_decision".
REMEDY_KINDS = {NoticeKind.NON_ACCEPTANCE, NoticeKind.REPAIR_DECISION, NoticeKind.REFUSAL_DECISION}
RECONSIDERATION_PLACEHOLDER = "{复议机关}"


def family_of(kind: str) -> str:
    if kind in KIND_FAMILY:
        return KIND_FAMILY[kind]
    return OBJECTION_FAMILY if str(kind).startswith("objection") else DEFAULT_FAMILY


def carries_remedy_clause(kind: str) -> bool:
    return kind in REMEDY_KINDS or str(kind).endswith("_decision")


def next_number(department: Department, kind: str, on: date) -> str:
    """The next document number of the unit for this kind's family in the year of `on`."""
    family = family_of(kind)
    with transaction.atomic():
        row, _created = NoticeSequence.objects.get_or_create(department=department, year=on.year, family=family)
        row = NoticeSequence.objects.select_for_update().get(pk=row.pk)
        row.last += 1
        row.save(update_fields=["last"])
    prefix = department.document_prefix or department.name_zh
    return f"{prefix}{family}〔{on.year}〕{row.last}号"


# The clause speaks of 本决定书; a notice (通知书) that decides is called what it is.
NOTICE_NOT_DECISION = {NoticeKind.NON_ACCEPTANCE}


def remedy_clause(department: Department, kind: str = NoticeKind.REPAIR_DECISION) -> str:
    body = department.reconsideration_body or policies.text("repair", "notice_reconsideration_body")
    clause = policies.text("repair", "notice_remedy_clause").replace(RECONSIDERATION_PLACEHOLDER, body)
    return clause.replace("本决定书", "本通知书") if kind in NOTICE_NOT_DECISION else clause


def contact_line(department: Department) -> str:
    return department.contact_line or policies.text("repair", "notice_contact_line")


def _record_facts(record: CreditRecord) -> dict:
    return {
        "party": record.party.name,
        "identifier": record.party.id_number,
        "decision_number": record.decision_number,
        "record_type": record.get_record_type_display(),
        "record_type_code": record.record_type,
        "severity": record.get_severity_display(),
        "department": record.department.name_zh,
        "decided_on": record.decided_on.isoformat(),
        "published_from": record.published_from.isoformat(),
        "repairable_from": record.repairable_from.isoformat(),
        "display_until": record.display_until.isoformat(),
        "summary": record.summary,
    }


def issue(kind: str, *, record: CreditRecord, case: Case | None = None, **facts) -> Notice:
    """Issue a notice inside the caller's transaction (rendering waits for the first download)."""
    today = timezone.localdate()
    department = record.department
    with translation.override("zh-hans"):  # formal notices are issued in Chinese
        record_facts = _record_facts(record)
    document_facts = {"contact_line": contact_line(department)}
    if carries_remedy_clause(kind):
        document_facts["remedy_clause"] = remedy_clause(department, kind)
    return Notice.objects.create(
        kind=kind,
        number=next_number(department, kind, today),
        case=case,
        record=record,
        facts={**record_facts, **document_facts, **facts, "case": case.number if case else "",
               "issued_on": today.isoformat()},
    )  # fmt: skip


def _department_of(notice: Notice) -> Department | None:
    return notice.record.department if notice.record_id else None


def seal_data_uri(department: Department | None) -> str:
    """The unit's seal image as a data: URI (read from private storage, never given a URL)."""
    if department is None or not department.seal_image:
        return ""
    with department.seal_image.open("rb") as handle:
        content = handle.read()
    kind = "image/png" if content.startswith(b"\x89PNG") else "image/jpeg"
    return f"data:{kind};base64,{base64.b64encode(content).decode()}"


def render_html(notice: Notice, facts: dict | None = None) -> str:
    return render_to_string(
        f"notices/{notice.kind}.html",
        {"notice": notice, "facts": facts or notice.facts, "seal": seal_data_uri(_department_of(notice))},
    )


def render_pdf(notice: Notice, facts: dict | None = None) -> bytes:
    from weasyprint import HTML  # imported here: it loads the native text-layout libraries

    return HTML(string=render_html(notice, facts)).write_pdf()


def signer_for(department: Department | None):
    """The unit's signer (pyHanko), or None when it has no key."""
    if department is None or not department.signing_key:
        return None
    from pyhanko.sign import signers

    with department.signing_key.open("rb") as handle:
        data = handle.read()
    passphrase = department.signing_passphrase.encode() or None
    return signers.SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=passphrase)


def sign_pdf(pdf: bytes, department: Department | None) -> tuple[bytes, bool]:
    """The PDF signed by the unit (PAdES baseline, SHA-256, covering the whole document), and
    whether it was; a unit without a usable key gets its PDF back unsigned (and it is logged)."""
    try:
        signer = signer_for(department)
    except Exception:  # a key the admin accepted that no longer opens: issue unsigned, say so
        logger.exception("The signing key of department %s cannot be opened", department and department.code)
        return pdf, False
    if signer is None:
        return pdf, False
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(
        field_name="Signature",
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        name=department.name_zh,
        location=department.name_zh,
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    return signers.sign_pdf(writer, meta, signer=signer).getvalue(), True


def masked_facts(facts: dict) -> dict | None:
    """The facts with a person's resident ID masked, or None when there is nothing to mask
    (an enterprise's USCC is public, as on the credit website)."""
    identifier = facts.get("identifier", "")
    masked = masking.mask_text(identifier)
    return None if masked == identifier else {**facts, "identifier": masked}


def pdf_of(notice: Notice, *, masked: bool = False) -> bytes:
    """The notice's PDF, signed. `masked`: for anyone but staff, a person's resident ID is masked;
    that copy is rendered (and signed) for the request and not kept, so the stored file stays the
    full original."""
    if masked and (facts := masked_facts(notice.facts)) is not None:
        return sign_pdf(render_pdf(notice, facts), _department_of(notice))[0]
    department = _department_of(notice)
    if not notice.pdf:
        content, notice.signed = sign_pdf(render_pdf(notice), department)
        _keep(notice, content)
    elif not notice.signed and department is not None and department.signing_key:
        # Kept unsigned while the unit had no key: signed now, its content unchanged.
        with notice.pdf.open("rb") as handle:
            content, notice.signed = sign_pdf(handle.read(), department)
        if notice.signed:
            _keep(notice, content)
    with notice.pdf.open("rb") as handle:
        return handle.read()


def _keep(notice: Notice, content: bytes) -> None:
    notice.pdf.save(f"{notice.kind}-{notice.pk}.pdf", ContentFile(content), save=False)
    Notice.objects.filter(pk=notice.pk).update(pdf=notice.pdf.name, signed=notice.signed)
