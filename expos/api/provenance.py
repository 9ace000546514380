"""The serializers of provenance: source documents, and the citations that tie a record to the
sentence it came from."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from rest_framework import serializers

from core.api import cells, fields
from core.api.serializers import ValidatedModelSerializer
from core.exports.sql import Sql
from core.provenance import Citation, Source, citable_labels, citable_models

from .serializers import READ_ONLY, TIMESTAMPS, compact, identity


class SourceSerializer(ValidatedModelSerializer):
    url = identity("source")

    class Meta:
        model = Source
        fields = [
            "url",
            "id",
            "slug",
            "title",
            "title_supplied",
            "publisher",
            "author",
            "published_on",
            "language",
            "file_name",
            "text",
            *TIMESTAMPS,
        ]
        read_only_fields = READ_ONLY


def citable():
    """{`app.model`: model} of every kind of record a citation can point at."""
    return {model._meta.label_lower: model for model in citable_models()}


class RecordTypeField(serializers.ChoiceField):
    """A cited record's type, as `app.model` (e.g. `expos.expo`)."""

    def __init__(self, **kwargs):
        super().__init__(choices=citable_labels(), **kwargs)

    def to_representation(self, content_type):
        return f"{content_type.app_label}.{content_type.model}"

    def sql_cell(self, queryset):
        content_type = self.source.replace(".", "__")
        label = Sql(
            "({0} || '.' || {1})",
            F(f"{content_type}__app_label"),
            F(f"{content_type}__model"),
        )
        return cells.text_cell(label)

    def to_internal_value(self, data):
        label = super().to_internal_value(data)
        return ContentType.objects.get_for_model(citable()[label])


class CitationSerializer(ValidatedModelSerializer):
    url = identity("citation", "pk")
    source = compact("source", Source.objects.all(), name_field="title")
    record_type = RecordTypeField(source="content_type")
    record_id = fields.IntegerField(source="object_id", min_value=1)

    class Meta:
        model = Citation
        fields = ["url", "id", "source", "record_type", "record_id", "quote", *TIMESTAMPS]
        read_only_fields = READ_ONLY

    def validate(self, attrs):
        content_type = attrs.get("content_type") or getattr(self.instance, "content_type", None)
        object_id = attrs.get("object_id") or getattr(self.instance, "object_id", None)
        if (
            content_type
            and object_id
            and not content_type.model_class().objects.filter(pk=object_id).exists()
        ):
            raise serializers.ValidationError({"record_id": ["No such record."]})
        return super().validate(attrs)
