"""The national single window's API: "信用中国"网站 (or the province's one-stop platform) pushes
the credit-repair applications made there to the deciding unit, and reads their status back.

Signed exactly like the complaint channels (cases/api/complaints.py: X-Channel, X-Timestamp,
X-Nonce, X-Signature, version 2), with the keys the admin manages; only a channel whose switch
"pushes credit-repair applications" is on may call it (403 otherwise). POST is idempotent on
the platform's application number: sent again, the same application is answered (200, the same
body). Each decision then goes back to the site through the outbox (accepted, notice,
not_accepted, refused, repair, revoke: cases/repair/models.NationalSync).
"""

from urllib.parse import quote

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api.complaints import SIGNATURE_HEADERS, SentFileSerializer, _channel, _json_body
from cases.api.serializers import JsonBooleanField, TextField, TextPatternField
from cases.core.exceptions import DomainError, NotFound
from cases.core.forms import validate_identifier
from cases.core.middleware import error_body
from cases.core.models.org import EntityKind
from cases.repair import window
from cases.repair.models import Basis

PLATFORM_NUMBER = r"^[A-Za-z0-9_-]{1,64}$"
MAX_MATERIALS = 10


class PushedMaterialSerializer(SentFileSerializer):
    code = TextField(
        max_length=60,
        help_text="A material code of the policy (e.g. obligation_proof, commitment, "
        "court_ruling for bankruptcy reorganisation)",
    )


class RepairApplicationPushSerializer(serializers.Serializer):
    platform_number = TextPatternField(
        PLATFORM_NUMBER,
        help_text="The platform's own application number "
        "(1 to 64 letters, digits, '-' or '_'): "
        "the application is kept once per number",
    )
    decision_number = TextField(max_length=100, help_text="The record's decision number")
    entity_kind = serializers.ChoiceField(choices=EntityKind.choices, help_text="enterprise or person")
    id_number = TextField(
        max_length=30, help_text="USCC of an enterprise or resident ID number of a person: the record's party"
    )
    applicant_name = TextField(max_length=200, help_text="The entity's name, or the person acting for it")
    contact = TextField(max_length=100, required=False, allow_blank=True, help_text="A telephone number")
    basis = serializers.ChoiceField(
        choices=Basis.choices,
        required=False,
        default=Basis.ORDINARY,
        help_text="bankruptcy_reorganisation: the court ruling is a required material "
        "and the shortest publicity period does not apply",
    )
    statement = TextField(max_length=5000, required=False, allow_blank=True)
    obligations_fulfilled = JsonBooleanField(help_text="The penalty's obligations are fulfilled")
    commitment_signed = JsonBooleanField(help_text="The credit commitment (信用承诺书) is signed")
    materials = PushedMaterialSerializer(many=True, max_length=MAX_MATERIALS)

    def validate(self, data):
        try:
            data["id_number"] = validate_identifier(data["entity_kind"], data["id_number"])
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"id_number": exc.messages}) from exc
        return data


class RepairApplicationStatusSerializer(serializers.Serializer):
    """An application's status as the platform reads it."""

    platform_number = serializers.CharField()
    number = serializers.CharField(source="case.number", help_text="The deciding unit's case number")
    status = serializers.CharField(
        source="case.state",
        help_text="The state: submitted, incomplete, resubmitted, not_accepted, accepted, under_review, rejected, "
        "record_repaired, synced, withdrawn, revoked (and others the lifecycle adds)",
    )
    status_label = serializers.CharField(source="case.state_label")
    decision_number = serializers.CharField(source="record.decision_number")
    department = serializers.CharField(source="record.department.code", help_text="The deciding unit")
    basis = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    missing_items = serializers.JSONField(help_text="After a one-time notice: each item with its reason")
    reason = serializers.SerializerMethodField(help_text="Why not accepted, refused or revoked")
    status_url = serializers.SerializerMethodField()

    def get_reason(self, application) -> str:
        return (
            application.refusal_reason
            or application.revocation_reason
            or (application.decision_reason if application.proposed_approval is False else "")
        )

    def get_status_url(self, application) -> str:
        return f"/api/v1/repair-applications/{quote(application.platform_number, safe='')}/"


EXAMPLE = {
    "platform_number": "XYZG-2026-000123",
    "decision_number": "甘州市监罚〔2026〕12号",
    "entity_kind": "enterprise",
    "id_number": "91350100M000100Y43",
    "applicant_name": "甘州区示范商贸有限公司",
    "contact": "13912345678",
    "basis": "ordinary",
    "statement": "罚款已缴清，违法行为已整改。",
    "obligations_fulfilled": True,
    "commitment_signed": True,
    "materials": [
        {
            "code": "obligation_proof",
            "name": "缴款凭证.pdf",
            "content_type": "application/pdf",
            "content": "JVBERi0xLjQK...",
        },
        {
            "code": "commitment",
            "name": "信用承诺书.pdf",
            "content_type": "application/pdf",
            "content": "JVBERi0xLjQK...",
        },
    ],
}
BANKRUPTCY_EXAMPLE = {
    **EXAMPLE,
    "platform_number": "XYZG-2026-000124",
    "basis": "bankruptcy_reorganisation",
    "materials": [
        *EXAMPLE["materials"],
        {
            "code": "court_ruling",
            "name": "重整计划裁定书.pdf",
            "content_type": "application/pdf",
            "content": "JVBERi0xLjQK...",
        },
    ],
}
STATUS_EXAMPLE = {
    "platform_number": "XYZG-2026-000123",
    "number": "XF2026000007",
    "status": "submitted",
    "status_label": "已提交",
    "decision_number": "甘州市监罚〔2026〕12号",
    "department": "scjg",
    "basis": "ordinary",
    "submitted_at": "2026-12-02T10:15:00+08:00",
    "missing_items": [],
    "reason": "",
    "status_url": "/api/v1/repair-applications/XYZG-2026-000123/",
}
REFUSALS = {
    400: OpenApiResponse(
        description="Missing or malformed fields; unknown decision number; the identity does not "
        "match the record's party; the record is not displayed or not repairable (with its legal "
        "basis); conditions unmet (shortest period, obligations, commitment, a material missing); "
        "a material too large, empty, not base64 or not a PDF, JPG or PNG"
    ),
    403: OpenApiResponse(description="The channel may not push credit-repair applications"),
    409: OpenApiResponse(description="An application for this record is already open"),
    413: OpenApiResponse(description="The request body is larger than the server takes"),
}


def answer_push(raw) -> tuple[int, dict]:
    """201 with the status of a new application; 200 with the same body for one pushed before."""
    try:
        raw.body  # noqa: B018 (read once, so that a body over the limit is refused clearly)
    except RequestDataTooBig:
        message = _("The request is too large: send fewer or smaller materials.")
        return status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, {"error": "too_large", "message": message, "details": {}}
    try:
        channel = _channel(raw)
        window.require_window(channel)
        incoming = RepairApplicationPushSerializer(data=_json_body(raw))
        if not incoming.is_valid():
            return status.HTTP_400_BAD_REQUEST, incoming.errors
        application, created = window.receive(channel=channel, data=incoming.validated_data)
    except DomainError as error:
        return error.status_code, error_body(error)
    body = RepairApplicationStatusSerializer(application).data
    return (status.HTTP_201_CREATED if created else status.HTTP_200_OK), body


class RepairApplicationPush(APIView):
    """Receive a credit-repair application from the national single window (idempotent on the
    platform's application number)."""

    authentication_classes = []  # the HMAC signature is the authentication
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=SIGNATURE_HEADERS,
        request=RepairApplicationPushSerializer,
        responses={201: RepairApplicationStatusSerializer, 200: RepairApplicationStatusSerializer, **REFUSALS},
        examples=[
            OpenApiExample("An application to repair an administrative penalty", request_only=True, value=EXAMPLE),
            OpenApiExample("An application in bankruptcy reorganisation", request_only=True, value=BANKRUPTCY_EXAMPLE),
            OpenApiExample(
                "Opened in the deciding unit's queue",
                response_only=True,
                status_codes=["201", "200"],
                value=STATUS_EXAMPLE,
            ),
        ],
    )
    def post(self, request):
        status_code, body = answer_push(request._request)
        return Response(body, status=status_code)


class RepairApplicationStatus(APIView):
    """The platform reads back the status of an application it pushed (signed, empty body)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=SIGNATURE_HEADERS,
        responses={200: RepairApplicationStatusSerializer, 403: REFUSALS[403]},
        examples=[OpenApiExample("Submitted", response_only=True, value=STATUS_EXAMPLE)],
    )
    def get(self, request, platform_number: str):
        channel = _channel(request._request)
        window.require_window(channel)
        application = window.pushed_application(channel, platform_number)
        if application is None:
            raise NotFound()
        return Response(RepairApplicationStatusSerializer(application).data)
