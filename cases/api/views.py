from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from cases.api.serializers import (
    CreditRecordRegistrationSerializer,
    CreditRecordSerializer,
    DepartmentSerializer,
    MeSerializer,
    WorkingDaysQuerySerializer,
    WorkingDaysResultSerializer,
)
from cases.core import selectors, workdays
from cases.core.models import Department
from cases.records import services as record_services


@extend_schema(responses=MeSerializer, summary="The signed-in user, with roles and department")
@api_view(["GET"])
def me(request):
    return Response(MeSerializer(request.user).data)


class DepartmentList(generics.ListAPIView):
    """The district's units that handle cases."""

    queryset = Department.objects.filter(active=True)
    serializer_class = DepartmentSerializer


@extend_schema(
    parameters=[WorkingDaysQuerySerializer],
    responses=WorkingDaysResultSerializer,
    summary="The date n working days after a start date (工作日)",
    examples=[
        OpenApiExample(
            "National Day 2025",
            value={"start": "2025-09-26", "days": 5, "due": "2025-10-10", "calendar_missing_years": []},
            response_only=True,
        )
    ],
)
@api_view(["GET"])
def working_days(request):
    query = WorkingDaysQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    start, days = query.validated_data["start"], query.validated_data["days"]
    due = workdays.add_working_days(start, days)
    years = sorted({start.year, due.year})
    missing = [year for year in years if not workdays.is_year_loaded(year)]
    return Response({"start": start, "days": days, "due": due, "calendar_missing_years": missing})


class CreditRecordList(generics.ListCreateAPIView):
    """Published credit records the caller may see; a department's caseworker registers new ones."""

    serializer_class = CreditRecordSerializer

    def get_queryset(self):
        return selectors.credit_records_visible_to(self.request.user)

    @extend_schema(
        request=CreditRecordRegistrationSerializer,
        responses={201: CreditRecordSerializer},
        examples=[
            OpenApiExample(
                "A penalty decision",
                request_only=True,
                value={
                    "party_kind": "enterprise",
                    "party_name": "甘州区示范商贸有限公司",
                    "party_id_number": "91350100M000100Y43",
                    "record_type": "penalty",
                    "decision_number": "甘市监罚〔2026〕12号",
                    "decided_on": "2026-03-02",
                    "severity": "general",
                    "summary": "未按规定公示年度报告，罚款 2000 元",
                },
            )
        ],
    )
    def post(self, request, *args, **kwargs):
        registration = CreditRecordRegistrationSerializer(data=request.data)
        registration.is_valid(raise_exception=True)
        record = record_services.register_credit_record(actor=request.user, data=registration.validated_data)
        return Response(CreditRecordSerializer(record).data, status=status.HTTP_201_CREATED)
