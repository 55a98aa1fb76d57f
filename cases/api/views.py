from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics
from rest_framework.decorators import api_view
from rest_framework.response import Response

from cases import workdays
from cases.api.serializers import (
    DepartmentSerializer,
    MeSerializer,
    WorkingDaysQuerySerializer,
    WorkingDaysResultSerializer,
)
from cases.models import Department


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
