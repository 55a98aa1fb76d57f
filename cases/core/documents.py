"""Notices as PDF (WeasyPrint, Noto CJK fonts). A notice's facts are frozen when it is issued;
the PDF is rendered from them on first download and kept."""

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone, translation

from cases.core import masking
from cases.core.models import Case, CreditRecord, Notice, NoticeKind

NUMBER_SUFFIX = {
    NoticeKind.ACCEPTANCE: "SL",
    NoticeKind.CORRECTION: "BZ",
    NoticeKind.NON_ACCEPTANCE: "BSL",
    NoticeKind.REPAIR_DECISION: "XF",
    NoticeKind.REFUSAL_DECISION: "BXF",
    NoticeKind.REVOCATION_DECISION: "CX",
    NoticeKind.OBJECTION_CORRECTED: "YYGZ",
    NoticeKind.OBJECTION_CONFIRMED: "YYWH",
    NoticeKind.OBJECTION_WITHDRAWN: "YYCX",
}


def _record_facts(record: CreditRecord) -> dict:
    return {
        "party": record.party.name,
        "identifier": record.party.id_number,
        "decision_number": record.decision_number,
        "record_type": record.get_record_type_display(),
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
    number = f"{case.number}-{NUMBER_SUFFIX[kind]}" if case else f"GZ{record.pk:010d}"
    with translation.override("zh-hans"):  # formal notices are issued in Chinese
        record_facts = _record_facts(record)
    return Notice.objects.create(
        kind=kind,
        number=number,
        case=case,
        record=record,
        facts={**record_facts, **facts, "case": case.number if case else "",
               "issued_on": timezone.localdate().isoformat()},
    )  # fmt: skip


def render_pdf(notice: Notice, facts: dict | None = None) -> bytes:
    from weasyprint import HTML  # imported here: it loads the native text-layout libraries

    html = render_to_string(f"notices/{notice.kind}.html", {"notice": notice, "facts": facts or notice.facts})
    return HTML(string=html).write_pdf()


def masked_facts(facts: dict) -> dict | None:
    """The facts with a person's resident ID masked, or None when there is nothing to mask
    (an enterprise's USCC is public, as on the credit website)."""
    identifier = facts.get("identifier", "")
    masked = masking.mask_text(identifier)
    return None if masked == identifier else {**facts, "identifier": masked}


def pdf_of(notice: Notice, *, masked: bool = False) -> bytes:
    """The notice's PDF. `masked`: for anyone but staff, a person's resident ID is masked; that
    copy is rendered for the request and not kept, so the stored file stays the full original."""
    if masked and (facts := masked_facts(notice.facts)) is not None:
        return render_pdf(notice, facts)
    if not notice.pdf:
        notice.pdf.save(f"{notice.number}.pdf", ContentFile(render_pdf(notice)), save=False)
        Notice.objects.filter(pk=notice.pk).update(pdf=notice.pdf.name)
    with notice.pdf.open("rb") as handle:
        return handle.read()
