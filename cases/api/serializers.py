from rest_framework import serializers

from cases.models import Department, User


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name_zh", "name_en", "is_supervising_unit"]


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    department = DepartmentSerializer(read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "roles", "department", "entity_kind", "entity_name"]

    def get_roles(self, user) -> list[str]:
        return sorted(user.role_names)


class WorkingDaysQuerySerializer(serializers.Serializer):
    start = serializers.DateField()
    days = serializers.IntegerField(min_value=-366, max_value=366)


class WorkingDaysResultSerializer(serializers.Serializer):
    start = serializers.DateField()
    days = serializers.IntegerField()
    due = serializers.DateField()
    calendar_missing_years = serializers.ListField(child=serializers.IntegerField())
