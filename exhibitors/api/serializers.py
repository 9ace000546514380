from rest_framework import serializers

from core.api.fields import CompactRelatedField, DetailURLField
from core.api.serializers import ValidatedModelSerializer, translated
from exhibitors.models import Exhibitor, Sector

BASE = ["url", "id", "slug"]
TIMESTAMPS = ["created", "updated"]
# `synthetic` (records generate_directory wrote for load testing) is read-only: the model
# field is not editable, so ModelSerializer makes it so.
READ_ONLY = ["id", "slug", "created", "updated"]


class SectorSerializer(ValidatedModelSerializer):
    url = DetailURLField(view_name="api:sector-detail", lookup_field="slug")

    class Meta:
        model = Sector
        fields = [*BASE, *translated("name", "description"), "synthetic", *TIMESTAMPS]
        read_only_fields = [*READ_ONLY, "name", "description"]


class ExhibitorSerializer(ValidatedModelSerializer):
    url = DetailURLField(view_name="api:exhibitor-detail", lookup_field="slug")
    country_name = serializers.CharField(source="country.name", read_only=True)
    sectors = CompactRelatedField(
        "api:sector-detail", many=True, queryset=Sector.objects.all(), required=False
    )

    class Meta:
        model = Exhibitor
        fields = [
            *BASE,
            *translated("name"),
            "country",
            "country_name",
            *translated("region", "city"),
            "sectors",
            *translated("description"),
            "website",
            "synthetic",
            *TIMESTAMPS,
        ]
        read_only_fields = [*READ_ONLY, "name", "region", "city", "description"]
