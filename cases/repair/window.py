"""The national single window (信用修复总窗口): credit-repair applications made on "信用中国"网站 (or the
province's one-stop platform) and pushed to the deciding unit through a signed channel
(cases/api/repair_window.py). Each is opened as an ordinary submitted application in the record's
deciding department's queue, marked with its source and the platform's application number; every
status then goes back through the national-site outbox (services._queue_sync).

Idempotent on (channel, platform number): the same application pushed again is the same one.
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.complaints.models import Channel
from cases.core import scaffold, services, transitions, uploads
from cases.core.event_types import EventType
from cases.core.exceptions import Conflict, InvalidInput, NotFound, NotPermitted
from cases.core.models import CreditRecord, RecordStatus
from cases.core.states import REPAIR_CLOSED, RepairMachine, RepairStatus
from cases.repair import services as repair
from cases.repair.models import Material, RepairApplication, Source


def require_window(channel: Channel) -> None:
    """Only a channel the office lets push repair applications (the admin's switch) may."""
    if not channel.pushes_repair_applications:
        raise NotPermitted(_("This channel may not push credit-repair applications."))


def pushed_application(channel: Channel, platform_number: str) -> RepairApplication | None:
    return (
        RepairApplication.objects.select_related("case", "record", "record__department")
        .filter(channel=channel, platform_number=platform_number)
        .first()
    )


def decode_material(item: dict, index: int) -> tuple[SimpleUploadedFile, str]:
    """One material posted as base64, checked by the upload rules (size, real type, name): the
    file and its content type as found."""
    field = f"materials[{index}]"
    try:
        upload = uploads.decoded(item["name"], item["content"], item.get("content_type", ""))
        content_type = uploads.check_material(upload)
    except InvalidInput as error:
        raise InvalidInput(error.message, details={field: [str(error.message)]}) from error
    return upload, content_type


def _find_record(decision_number: str) -> CreditRecord:
    record_id = CreditRecord.objects.filter(decision_number=decision_number).values_list("pk", flat=True).first()
    if record_id is None:
        raise InvalidInput(details={"decision_number": [_("No credit record has this decision number.")]})
    try:
        return scaffold.locked(CreditRecord, record_id, related=("party", "department"), of=("self",))
    except NotFound as exc:  # removed meanwhile
        raise InvalidInput(details={"decision_number": [_("No credit record has this decision number.")]}) from exc


def _check_identity(record: CreditRecord, data: dict) -> None:
    """The applicant must be the record's party (谁的信用谁修复): kind and identifier as registered."""
    party = record.party
    if data["entity_kind"] != party.kind or data["id_number"].strip().upper() != party.id_number.upper():
        raise InvalidInput(details={"id_number": [_("The applicant's identity does not match the record's party.")]})


def receive(*, channel: Channel, data: dict) -> tuple[RepairApplication, bool]:
    """Open the pushed application (validated by the API's serializer), or return the one already
    opened under this platform number. (application, created)."""
    require_window(channel)
    existing = pushed_application(channel, data["platform_number"])
    if existing is not None:
        return existing, False
    try:
        return _open(channel=channel, data=data)
    except IntegrityError:  # the same number pushed at the same moment: the other request opened it
        existing = pushed_application(channel, data["platform_number"])
        if existing is None:
            raise
        return existing, False


@transaction.atomic
def _open(*, channel: Channel, data: dict) -> tuple[RepairApplication, bool]:
    record = _find_record(data["decision_number"])
    # Locked the record: a push of the same number waiting for it sees the first one's application.
    existing = pushed_application(channel, data["platform_number"])
    if existing is not None:
        return existing, False
    _check_identity(record, data)
    if record.status != RecordStatus.PUBLISHED:
        raise InvalidInput(_("This record is no longer displayed: there is nothing to repair."))
    repair.require_repairable(record)
    repair.require_basis(record, data["basis"])
    if RepairApplication.objects.filter(record=record).exclude(case__state__in=REPAIR_CLOSED).exists():
        raise Conflict(_("An application for this record is already open."))
    uploads_ = [(item["code"], decode_material(item, index)) for index, item in enumerate(data.get("materials", []))]
    case = services.open_case(
        kind="repair",
        title=_("Credit repair of %(number)s") % {"number": record.decision_number},
        actor=None,
        applicant=None,
        department=record.department,
        state=RepairStatus.DRAFT,
    )
    application = RepairApplication.objects.create(
        case=case,
        record=record,
        statement=data.get("statement", "").strip(),
        basis=data["basis"],
        source=Source.NATIONAL_WINDOW,
        channel=channel,
        platform_number=data["platform_number"],
        applicant_name=data["applicant_name"].strip(),
        applicant_contact=data.get("contact", "").strip(),
        obligations_fulfilled=data["obligations_fulfilled"],
        commitment_signed=data["commitment_signed"],
    )
    asked = {item["code"] for item in repair.application_materials(application)}
    for code, (upload, content_type) in uploads_:
        if code not in asked:
            not_asked = _("This material is not asked for here: %(code)s.") % {"code": code}
            raise InvalidInput(not_asked, details={"materials": [not_asked]})
        Material.keep(upload, content_type, uploaded_by=None, application=application, code=code)
        transitions.record(case, EventType.REPAIR_MATERIAL_ADDED, actor=None, code=code)
    problems = repair.unmet_conditions(application)
    if problems:
        raise InvalidInput(_("The application cannot be submitted yet."), details={"conditions": problems})
    transitions.transition(case, RepairMachine.submit, None, channel=channel.code,
                           platform_number=application.platform_number)  # fmt: skip
    application.submitted_at = timezone.now()
    application.save(update_fields=["submitted_at"])
    repair.start_department_work(application)
    return application, True
