"""The intake API for the channels' systems (12345 hotline, 张企服, 直通车, the website).

Each request carries X-Channel (the channel's code), X-Timestamp (Unix seconds), X-Nonce (a new
random value for each request) and X-Signature: signature version 2, the hex HMAC-SHA256 with the
channel's secret of "<timestamp>\\n<nonce>\\n<METHOD>\\n<path with query>\\n<sha256 hex of the body>"
(cases/complaint_intake.signature). Requests older than five minutes, and a nonce used before, are
refused (401). Version 1 (no X-Nonce, "<timestamp>.<raw body>") is taken only from a channel whose
legacy switch is on, until its end date. A new work order is answered 202 ("queued"): the intake
worker opens its case moments later, and GET on its status URL gives the case number and state.
The same reference sent again, even at the same moment, is the same work order and is answered 200.
"""

from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api.serializers import AmountField, TextField, TextPatternField
from cases.complaints import arrears
from cases.complaints import intake as complaint_intake
from cases.complaints import services as complaint_services
from cases.core import identifiers, policies, uploads
from cases.core.exceptions import Conflict, DomainError, InvalidInput, NotFound, Throttled, Unauthenticated
from cases.core.middleware import error_body
from cases.infra import throttle
from cases.infra.client_address import client_ip

SIGNATURE_HEADERS = [
    OpenApiParameter("X-Channel", str, OpenApiParameter.HEADER, required=True, description="The channel's code"),
    OpenApiParameter("X-Timestamp", str, OpenApiParameter.HEADER, required=True, description="Unix time, seconds"),
    OpenApiParameter(
        "X-Nonce", str, OpenApiParameter.HEADER, required=False, pattern=r"^[A-Za-z0-9_-]{16,64}$",
        description="Signature version 2: a new random value for each request (16 to 64 letters, digits, '-' or "
                    "'_', e.g. a UUID4 in hex), accepted once: a request sent again with the same nonce is "
                    "refused (401). Without it the signature is read as version 1, taken only from a channel "
                    "whose legacy switch is on, until its end date.",
    ),
    OpenApiParameter(
        "X-Signature", str, OpenApiParameter.HEADER, required=True, pattern=r"^[0-9a-fA-F]{64}$",
        description='Version 2: hex HMAC-SHA256 with the channel secret of "<X-Timestamp>\\n<X-Nonce>\\n<METHOD>\\n'
                    '<path, percent-decoded, with ?query if any>\\n<hex SHA-256 of the raw body>" (the body of a '
                    'GET is empty). Version 1 (legacy, no X-Nonce): hex HMAC-SHA256 of "<timestamp>.<raw body>".',
    ),
]  # fmt: skip


class SentFileSerializer(serializers.Serializer):
    """A file in a signed JSON body: its bytes in base64, so that the signature (over the body's
    SHA-256) covers them."""

    name = TextField(max_length=200, help_text="The file's name, with its extension (.pdf, .jpg, .jpeg, .png)")
    content_type = TextField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="The declared type; the content decides (PDF, JPEG or PNG)",
    )
    content = TextField(
        help_text="The file, base64 (standard alphabet, padded); at most MAX_MATERIAL_BYTES (10 MB) decoded",
        trim_whitespace=False,
    )


class ComplaintIntakeSerializer(serializers.Serializer):
    reference = TextField(max_length=100, help_text="The channel's own work-order number")
    complainant_name = TextField(max_length=100)
    complainant_phone = TextPatternField(r"^1[3-9]\d{9}$", required=False, allow_blank=True)
    enterprise_name = TextField(max_length=200)
    enterprise_uscc = TextField(max_length=30)
    respondent = TextField(max_length=200, help_text="The government body or state-owned enterprise")
    subject = TextField(max_length=40, help_text="A code from the policy's complaint subjects")
    facts = TextField(max_length=10000)
    complainant_email = serializers.EmailField(
        max_length=254, required=False, allow_blank=True, help_text="The complainant's e-mail, for the office's notices"
    )
    amount_claimed = AmountField(max_digits=14, decimal_places=2, required=False, allow_null=True,
                                 help_text="The amount owed, in yuan: required, more than 0, for the subject "
                                           "arrears (拖欠账款)")  # fmt: skip
    evidence = SentFileSerializer(many=True, required=False,
                                  help_text="Evidence files (contract, invoice, acceptance record): at most "
                                            f"{complaint_services.MAX_EVIDENCE_FILES}, each a PDF, JPG or PNG of "
                                            "at most 10 MB, as on the web form")  # fmt: skip

    def validate_enterprise_uscc(self, value):
        try:
            return identifiers.validate_uscc(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def validate_subject(self, value):
        codes = {item["code"] for item in policies.choices("complaint", "subjects")}
        if value not in codes:
            raise serializers.ValidationError(f"one of: {', '.join(sorted(codes))}")
        return value

    def validate(self, data):
        """The web form's rules: an arrears complaint's amount (arrears.check_claim), the evidence's
        count, size and type (complaint_services.evidence_checked); validated_data["evidence"] is
        then the decoded files, each with its content type."""
        try:
            data["amount_claimed"] = arrears.check_claim(data["subject"], data.get("amount_claimed"))
            data["evidence"] = _evidence(data.get("evidence", []))
        except InvalidInput as exc:
            raise serializers.ValidationError(exc.details) from exc
        return data


def _evidence(items: list[dict]) -> list[tuple[object, str]]:
    """The files sent, counted before any is decoded, then decoded and checked as uploads."""
    if len(items) > complaint_services.MAX_EVIDENCE_FILES:
        return complaint_services.evidence_checked(items)  # refused for the count, as on the form
    files, errors = [], []
    for item in items:
        try:
            files.append(uploads.decoded(item["name"], item["content"], item.get("content_type", "")))
        except InvalidInput as exc:
            errors.append(f"{uploads.safe_name(item['name'])}: {exc.message}")
    if errors:
        raise InvalidInput(errors[0], details={"evidence": errors})
    return complaint_services.evidence_checked(files)


class ComplaintFeedbackSerializer(serializers.Serializer):
    satisfied = serializers.BooleanField(help_text="Whether the complainant is satisfied with the answer")
    reason = TextField(max_length=2000, required=False, allow_blank=True,
                       help_text="What is not resolved: required when not satisfied")  # fmt: skip

    def validate(self, data):
        if not data["satisfied"] and not data.get("reason", "").strip():
            raise serializers.ValidationError({"reason": [_("Say what is not resolved.")]})
        return data


class ComplaintWithdrawalSerializer(serializers.Serializer):
    reason = TextField(max_length=2000, help_text="Why the complainant withdraws the complaint (撤回)")


class ComplaintStatusSerializer(serializers.Serializer):
    """A work order's status: "queued" until its case is opened (moments after it arrives), then
    the case's state. `number` and `verification_code` come with the case."""

    reference = serializers.CharField()
    status = serializers.SerializerMethodField()
    status_label = serializers.SerializerMethodField()
    number = serializers.SerializerMethodField()
    verification_code = serializers.SerializerMethodField()
    received_at = serializers.DateTimeField()
    status_url = serializers.SerializerMethodField()

    @staticmethod
    def _case(order):
        return order.complaint.case if order.complaint_id else None

    def get_status(self, order) -> str:
        case = self._case(order)
        return case.state if case else ("failed" if order.failure else "queued")

    def get_status_label(self, order) -> str:
        case = self._case(order)
        if case:
            return str(case.state_label)
        if order.failure:
            return _("Received, but no case could be opened; the office has been told.")
        return _("Received; the case is being opened.")

    def get_number(self, order) -> str | None:
        case = self._case(order)
        return case.number if case else None

    def get_verification_code(self, order) -> str | None:
        case = self._case(order)
        return case.verification_code if case else None

    def get_status_url(self, order) -> str:
        return f"/api/v1/complaints/{quote(order.reference, safe='')}/"


def _signature_failures() -> dict:
    return {"group": "channel-signature-failures", "key": "ip", "limit": settings.CHANNEL_SIGNATURE_FAILURE_LIMIT,
            "minutes": settings.CHANNEL_SIGNATURE_FAILURE_WINDOW_MINUTES}  # fmt: skip


def _channel(request):
    """The signing channel. An address that keeps sending bad signatures is refused for a while
    (429) without being told more; a request whose signature verifies is always taken, from any
    address: whoever signs it holds the channel's secret, so it is no guess (and a channel behind
    the same gateway as a faulty sender is not locked out with it)."""
    try:
        return complaint_intake.authenticate(complaint_intake.SignedRequest.of(request))
    except Unauthenticated:
        minutes = throttle.blocked_for(request, **_signature_failures())
        if minutes:
            raise Throttled(
                _("Too many requests with a bad signature from this address. Wait %(minutes)d minutes.")
                % {"minutes": minutes}
            ) from None
        throttle.count_failure(request, **_signature_failures())
        raise


def _json_body(request):
    return complaint_intake.read_json(request.body)


def answer_work_order(request) -> tuple[int, dict]:
    """The whole answer to a channel's POST. Both doors to it call this: the view below (what the
    schema documents) and the ASGI route the servers take (intake_route), so they cannot differ.

    202 with the status "queued" for a new work order, whose case the intake worker opens moments
    later; 200 with its current status for one sent before."""
    try:
        channel = _channel(request)
        incoming = ComplaintIntakeSerializer(data=_json_body(request))
        if not incoming.is_valid():
            return status.HTTP_400_BAD_REQUEST, incoming.errors
        data = dict(incoming.validated_data)
        evidence = data.pop("evidence")
        if evidence:  # the case is opened at once, to keep the files with it
            order, created = complaint_intake.accept_with_evidence(channel=channel, data=data, evidence=evidence)
        else:
            order, created = complaint_intake.accept(channel=channel, data=data)
    except DomainError as error:
        return error.status_code, error_body(error)
    body = ComplaintStatusSerializer(order).data
    return (status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK), body


class ComplaintIntake(APIView):
    """Receive a work order from a channel (idempotent on the channel's reference).

    Checked as the web form checks a complaint: `complainant_email` a valid e-mail; an arrears
    complaint (subject `arrears`) needs `amount_claimed` more than 0; `evidence` at most 20 files,
    each base64 in the body (so that the signature covers it: a file changed after signing is
    refused 401), a PDF, JPG or PNG by its content, at most 10 MB. Any refusal (400, naming the
    field) keeps nothing. A work order with evidence has its case opened at once, the files kept
    with it."""

    authentication_classes = []  # the HMAC signature is the authentication (see the module)
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=SIGNATURE_HEADERS,
        request=ComplaintIntakeSerializer,
        responses={202: ComplaintStatusSerializer, 200: ComplaintStatusSerializer},
        examples=[
            OpenApiExample(
                "A 12345 work order about arrears",
                request_only=True,
                value={
                    "reference": "12345-20261125-0042",
                    "complainant_name": "张经理",
                    "complainant_phone": "13912345678",
                    "complainant_email": "zhang@example.com",
                    "enterprise_name": "甘州区示范商贸有限公司",
                    "enterprise_uscc": "91350100M000100Y43",
                    "respondent": "区某街道办事处",
                    "subject": "arrears",
                    "facts": "2025 年完工的道路维修工程款 86 万元至今未付。",
                    "amount_claimed": "860000.00",
                    "evidence": [
                        {"name": "施工合同.pdf", "content_type": "application/pdf", "content": "JVBERi0xLjQK..."},
                        {"name": "验收单.jpg", "content_type": "image/jpeg", "content": "/9j/4AAQSkZJRgABAQ..."},
                    ],
                },
            )
        ],
    )
    def post(self, request):
        status_code, body = answer_work_order(request._request)
        return Response(body, status=status_code)


class ComplaintStatus(APIView):
    """A channel reads back the status of a complaint it sent (signed like the intake, empty body)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(parameters=SIGNATURE_HEADERS, responses=ComplaintStatusSerializer)
    def get(self, request, reference: str):
        order = complaint_intake.work_order(_channel(request), reference)
        if order is None:
            raise NotFound()
        return Response(ComplaintStatusSerializer(order).data)


class ComplaintFeedback(APIView):
    """A channel relays what the complainant said of the answer when it called them back (回访):
    satisfied closes the complaint; not satisfied reopens it (or, past the policy's reopenings,
    puts it before the supervisors). Only the channel that sent the work order may, and only while
    the answer waits for the complainant (otherwise 409). Signed like the intake."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=SIGNATURE_HEADERS,
        request=ComplaintFeedbackSerializer,
        responses=ComplaintStatusSerializer,
        examples=[
            OpenApiExample("Satisfied", request_only=True, value={"satisfied": True}),
            OpenApiExample(
                "Not satisfied", request_only=True, value={"satisfied": False, "reason": "工程款仍有 20 万元未付。"}
            ),
        ],
    )
    def post(self, request, reference: str):
        return _relay(request._request, reference, ComplaintFeedbackSerializer, self.relay,
                      not_opened=_("The complaint has not been answered yet."))  # fmt: skip

    @staticmethod
    def relay(complaint_id: int, data: dict, relayed: dict) -> None:
        if data["satisfied"]:
            complaint_services.confirm(actor=None, complaint_id=complaint_id, **relayed)
        else:
            complaint_services.object_to_answer(actor=None, complaint_id=complaint_id, reason=data["reason"].strip(),
                                                **relayed)  # fmt: skip


def _relay(raw, reference: str, serializer_class, take, *, not_opened: str) -> Response:
    """A channel relays the complainant's word on a complaint it sent: its signature checked, its
    own work order found (404 for another channel's), the body validated (400), the step taken
    (`take(complaint_id, data, relayed)`; 409 where the state forbids it), the new status answered."""
    channel = _channel(raw)
    order = complaint_intake.work_order(channel, reference)
    if order is None:
        raise NotFound()
    payload = _json_body(raw)
    incoming = serializer_class(data=payload if isinstance(payload, dict) else {})
    if not incoming.is_valid():
        return Response(incoming.errors, status=status.HTTP_400_BAD_REQUEST)
    if order.complaint_id is None:
        raise Conflict(not_opened)
    take(order.complaint_id, incoming.validated_data, {"relayed_by": channel.code, "relayed_from": client_ip(raw)})
    return Response(ComplaintStatusSerializer(complaint_intake.work_order(channel, reference)).data)


class ComplaintWithdrawal(APIView):
    """A channel relays the complainant's withdrawal (撤回) of a complaint it sent, with the reason:
    the complaint ends as withdrawn and the department is told. Only the channel that sent the
    work order may; a complaint already closed or withdrawn answers 409. Signed like the intake."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=SIGNATURE_HEADERS,
        request=ComplaintWithdrawalSerializer,
        responses=ComplaintStatusSerializer,
        examples=[OpenApiExample("Withdrawn", request_only=True, value={"reason": "已与对方协商解决，撤回投诉。"})],
    )
    def post(self, request, reference: str):
        return _relay(request._request, reference, ComplaintWithdrawalSerializer, self.relay,
                      not_opened=_("The complaint is not opened yet: try again in a moment."))  # fmt: skip

    @staticmethod
    def relay(complaint_id: int, data: dict, relayed: dict) -> None:
        complaint_services.withdraw(actor=None, complaint_id=complaint_id, reason=data["reason"], **relayed)
