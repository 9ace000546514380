"""The serializers of the directory's records, exhibitors and sectors included; provenance
(sources and citations) is in provenance.py."""

from django.db.models import F
from django.utils.text import capfirst
from rest_framework import serializers

from core.api import cells, fields
from core.api.fields import CompactRelatedField, DetailURLField, PageURLField
from core.api.serializers import ExpandableSerializerMixin, ValidatedModelSerializer, translated
from core.exports.sql import as_text, field
from exhibitors.models import Exhibitor, Sector
from expos import models

from .timezones import TimeZoneField

TIMESTAMPS = ["created", "updated"]
# `synthetic` (records generate_directory wrote for load testing) is read-only: the model
# field is not editable, so ModelSerializer makes it so.
READ_ONLY = ["id", "slug", "created", "updated"]


def identity(view_name, lookup_field="slug"):
    """The record's own URL."""
    return DetailURLField(view_name=f"api:{view_name}-detail", lookup_field=lookup_field)


def compact(view_name, queryset, **kwargs):
    """A related record: written as its slug (`slug_field="pk"`: its id), read as its link
    {id, slug, name, url}."""
    return CompactRelatedField(f"api:{view_name}-detail", queryset=queryset, **kwargs)


class OrganisationSerializer(ValidatedModelSerializer):
    url = identity("organisation")

    class Meta:
        model = models.Organisation
        fields = [
            "url",
            "id",
            "slug",
            *translated("name", "short_name"),
            "kind",
            "country",
            *translated("region", "city", "description"),
            *TIMESTAMPS,
        ]
        read_only_fields = [*READ_ONLY, "name", "short_name", "region", "city", "description"]


class ExpoSeriesSerializer(ValidatedModelSerializer):
    url = identity("series")

    class Meta:
        model = models.ExpoSeries
        fields = [
            "url",
            "id",
            "slug",
            *translated("name"),
            "short_name",
            *translated("description"),
            *TIMESTAMPS,
        ]
        read_only_fields = [*READ_ONLY, "name", "description"]


class ParticipationSerializer(ValidatedModelSerializer):
    url = identity("participation", "pk")
    exhibitor = compact("exhibitor", Exhibitor.objects.all())
    expo = compact("expo", models.Expo.objects.all())
    area = compact(
        "area", models.Area.objects.all(), slug_field="pk", required=False, allow_null=True
    )
    # A method rather than CharField(source="area.name", default=None): DRF skips a field's
    # default in a partial update, so a PATCH answer would lack this required field.
    area_name = fields.SqlMethodField()

    class Meta:
        model = models.Participation
        fields = [
            "url",
            "id",
            "exhibitor",
            "expo",
            "area",
            "area_name",
            *translated("showcase"),
            *TIMESTAMPS,
        ]
        read_only_fields = [*READ_ONLY, "showcase"]

    def get_area_name(self, participation) -> str | None:
        return participation.area.name if participation.area else None

    def sql_area_name(self, queryset):
        name = as_text(field(queryset.model, "area__name"))
        return cells.unless_null(F("area"), cells.text_cell(name))


class ExpoSerializer(ExpandableSerializerMixin, ValidatedModelSerializer):
    url = identity("expo")
    html_url = PageURLField("expos:expo-detail")
    series = compact("series", models.ExpoSeries.objects.all(), required=False, allow_null=True)
    parent = compact("expo", models.Expo.objects.all(), required=False, allow_null=True)
    organisers = compact(
        "organisation", models.Organisation.objects.all(), many=True, required=False
    )
    sectors = compact("sector", Sector.objects.all(), many=True, required=False)
    country_name = serializers.CharField(source="country.name", read_only=True)
    timezone = TimeZoneField(label=capfirst(models.Expo._meta.get_field("timezone").verbose_name))

    expandable_fields = {
        "participations": lambda: ParticipationSerializer(many=True, read_only=True),
        "forums": lambda: ForumSerializer(many=True, read_only=True),
        "deals": lambda: DealSerializer(many=True, read_only=True),
    }

    class Meta:
        model = models.Expo
        fields = [
            "url",
            "html_url",
            "id",
            "slug",
            *translated("name", "short_name"),
            "series",
            "edition_year",
            "edition_number",
            "parent",
            "start_date",
            "end_date",
            "timezone",
            *translated("venue", "city"),
            "country",
            "country_name",
            "organisers",
            "format",
            "sectors",
            *translated("description"),
            "synthetic",
            *TIMESTAMPS,
        ]
        read_only_fields = [*READ_ONLY, "name", "short_name", "venue", "city", "description"]


class AppearanceSerializer(ValidatedModelSerializer):
    url = identity("appearance", "pk")
    speaker = compact("speaker", models.Speaker.objects.all())
    forum = compact("forum", models.Forum.objects.all(), name_field="title")

    class Meta:
        model = models.Appearance
        fields = ["url", "id", "speaker", "forum", *translated("role", "topic"), *TIMESTAMPS]
        read_only_fields = [*READ_ONLY, "role", "topic"]


class ForumSerializer(ValidatedModelSerializer):
    url = identity("forum")
    html_url = PageURLField("expos:forum-detail")
    expo = compact("expo", models.Expo.objects.all())
    organisers = compact(
        "organisation", models.Organisation.objects.all(), many=True, required=False
    )
    partners = compact("organisation", models.Organisation.objects.all(), many=True, required=False)
    speakers = fields.SqlMethodField()

    class Meta:
        model = models.Forum
        fields = [
            "url",
            "html_url",
            "id",
            "slug",
            "expo",
            *translated("title"),
            "kind",
            "date",
            *translated("city"),
            "organisers",
            "partners",
            *translated("topic"),
            "speakers",
            *TIMESTAMPS,
        ]
        read_only_fields = [*READ_ONLY, "title", "city", "topic"]

    def speaker_field(self):
        """The field each speaker is written with: compact, linked to the speaker's record."""
        speaker = CompactRelatedField("api:speaker-detail", read_only=True)
        speaker.bind("speakers", self)
        return speaker

    def get_speakers(self, forum) -> list[dict]:
        speaker = self.speaker_field()
        return [speaker.to_representation(a.speaker) for a in forum.appearances.all()]

    def sql_speakers(self, queryset):
        return cells.compact_many(queryset, self.speaker_field(), "appearances", through="speaker")


class SpeakerSerializer(ValidatedModelSerializer):
    url = identity("speaker")
    html_url = PageURLField("expos:speaker-detail")
    exhibitor = compact("exhibitor", Exhibitor.objects.all(), required=False, allow_null=True)
    organisation = compact(
        "organisation", models.Organisation.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = models.Speaker
        fields = [
            "url",
            "html_url",
            "id",
            "slug",
            "honorific",
            "name",
            *translated("role"),
            "exhibitor",
            "organisation",
            *TIMESTAMPS,
        ]
        read_only_fields = [*READ_ONLY, "role"]


class StatementSerializer(ValidatedModelSerializer):
    url = identity("statement", "pk")
    speaker = compact("speaker", models.Speaker.objects.all())
    expo = compact("expo", models.Expo.objects.all())

    class Meta:
        model = models.Statement
        fields = ["url", "id", "speaker", "expo", *translated("text"), *TIMESTAMPS]
        read_only_fields = [*READ_ONLY, "text"]


class DealSerializer(ValidatedModelSerializer):
    url = identity("deal")
    html_url = PageURLField("expos:deal-detail")
    expo = compact("expo", models.Expo.objects.all())
    sectors = compact("sector", Sector.objects.all(), many=True, required=False)
    parties = compact("exhibitor", Exhibitor.objects.all(), many=True, required=False)

    class Meta:
        model = models.Deal
        fields = [
            "url",
            "html_url",
            "id",
            "slug",
            "expo",
            *translated("title"),
            "project_count",
            "amount",
            "currency",
            "amount_usd",
            "sectors",
            "parties",
            "signed_on",
            *translated("description"),
            *TIMESTAMPS,
        ]
        read_only_fields = [*READ_ONLY, "title", "description"]


class AwardSerializer(ValidatedModelSerializer):
    url = identity("award", "pk")
    expo = compact("expo", models.Expo.objects.all())
    recipient = compact("organisation", models.Organisation.objects.all())

    class Meta:
        model = models.Award
        fields = [
            "url",
            "id",
            "expo",
            *translated("name"),
            "recipient",
            *translated("reason"),
            *TIMESTAMPS,
        ]
        read_only_fields = [*READ_ONLY, "name", "reason"]


class FigureSerializer(ValidatedModelSerializer):
    url = identity("figure", "pk")
    expo = compact("expo", models.Expo.objects.all(), required=False, allow_null=True)
    series = compact("series", models.ExpoSeries.objects.all(), required=False, allow_null=True)

    class Meta:
        model = models.Figure
        fields = [
            "url",
            "id",
            "expo",
            "series",
            *translated("subject"),
            "metric",
            "qualifier",
            "value",
            "currency",
            "year",
            *translated("note"),
            *TIMESTAMPS,
        ]
        read_only_fields = [*READ_ONLY, "subject", "note"]


class AreaSerializer(ValidatedModelSerializer):
    url = identity("area", "pk")
    expo = compact("expo", models.Expo.objects.all())
    sector = compact("sector", Sector.objects.all(), required=False, allow_null=True)

    class Meta:
        model = models.Area
        fields = [
            "url",
            "id",
            "expo",
            *translated("name"),
            "kind",
            "size_m2",
            "sector",
            *translated("description"),
            *TIMESTAMPS,
        ]
        read_only_fields = [*READ_ONLY, "name", "description"]


class HighlightSerializer(ValidatedModelSerializer):
    url = identity("highlight", "pk")
    expo = compact("expo", models.Expo.objects.all())
    forum = compact(
        "forum", models.Forum.objects.all(), name_field="title", required=False, allow_null=True
    )
    exhibitor = compact("exhibitor", Exhibitor.objects.all(), required=False, allow_null=True)
    area = compact(
        "area", models.Area.objects.all(), slug_field="pk", required=False, allow_null=True
    )

    class Meta:
        model = models.Highlight
        fields = [
            "url",
            "id",
            "expo",
            "forum",
            "exhibitor",
            "area",
            *translated("title", "description"),
            *TIMESTAMPS,
        ]
        read_only_fields = [*READ_ONLY, "title", "description"]


class SectorSerializer(ValidatedModelSerializer):
    url = identity("sector")

    class Meta:
        model = Sector
        fields = ["url", "id", "slug", *translated("name", "description"), "synthetic", *TIMESTAMPS]
        read_only_fields = [*READ_ONLY, "name", "description"]


class ExhibitorSerializer(ExpandableSerializerMixin, ValidatedModelSerializer):
    """A company or organisation that exhibits; `?expand=participations` adds the expos it
    exhibited at."""

    url = identity("exhibitor")
    html_url = PageURLField("exhibitors:exhibitor-detail")
    country_name = serializers.CharField(source="country.name", read_only=True)
    sectors = compact("sector", Sector.objects.all(), many=True, required=False)

    expandable_fields = {
        "participations": lambda: ParticipationSerializer(many=True, read_only=True),
    }

    class Meta:
        model = Exhibitor
        fields = [
            "url",
            "html_url",
            "id",
            "slug",
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
