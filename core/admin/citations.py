"""A citation's record in the admin, picked by its name.

A citation points at any kind of record that can be cited (core.provenance.citable_models)
through a content type and an id. Its admin form has one field for both, `cited_record`: a select2
box, as the admin's own autocomplete fields are, fed by CitedRecordSearchMixin's view, which
searches every citable kind of record by name, each through its own admin's search. An
option's value is `<content type id>:<record id>`, its text "Kind: name".

Whatever is sent back is checked again (CitedRecordField): an address that is not of that
form, a kind of record unknown or that cannot be cited, or a record that does not exist, is
the field's error. The change list names each record, fetched with one query a kind of record
on the page (citation_records_prefetch).
"""

import re

from django import forms
from django.contrib.admin.widgets import AutocompleteMixin, get_select2_language
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.integrity import constraint_named
from core.lists.search import MAX_SEARCH_LENGTH, check_search_words
from core.provenance import Citation, citable_models

# Records of each kind the search offers: the first this many of each, best matches first.
PER_KIND = 8
# `<content type id>:<record id>` in ASCII digits, each within its column's range.
RECORD_VALUE = re.compile(r"([0-9]{1,9}):([0-9]{1,18})")


def describe(record):
    """A record as the admin names it: "Kind: name"."""
    return f"{capfirst(record._meta.verbose_name)}: {record}"


def record_value(record):
    content_type = ContentType.objects.get_for_model(record, for_concrete_model=False)
    return f"{content_type.pk}:{record.pk}"


def record_for(value):
    """The citable record `value` (`<content type id>:<record id>`) names, or None."""
    match = RECORD_VALUE.fullmatch(str(value))
    if match is None:
        return None
    type_id, record_id = map(int, match.groups())
    try:
        model = ContentType.objects.get_for_id(type_id).model_class()
    except ContentType.DoesNotExist:
        return None
    if model not in citable_models():
        return None
    return model._default_manager.select_related().filter(pk=record_id).first()


def citation_records_prefetch():
    """Every citation's record, one query a kind of record, with what its name reads."""
    return GenericPrefetch(
        "record", [model._default_manager.select_related() for model in citable_models()]
    )


class CitedRecordSelect(AutocompleteMixin, forms.Select):
    """The admin's select2 box (its scripts and styles, AutocompleteMixin's media), asking
    `url` for the records matching what is typed."""

    def __init__(self, url, attrs=None):
        forms.Select.__init__(self, attrs)
        self.url = url
        self.i18n_name = get_select2_language()  # what AutocompleteMixin's media reads

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = forms.Select.build_attrs(self, base_attrs, extra_attrs)
        attrs.update(
            {
                "data-ajax--cache": "true",
                "data-ajax--delay": 250,
                "data-ajax--type": "GET",
                "data-ajax--url": str(self.url),
                "data-theme": "admin-autocomplete",
                "data-allow-clear": "false",
                "data-minimum-input-length": 1,
                "data-placeholder": "",
                "lang": self.i18n_name,
                "class": f"{attrs.get('class', '')} admin-autocomplete citation-record".strip(),
            }
        )
        return attrs

    def optgroups(self, name, value, attrs=None):
        options = [self.create_option(name, "", "", not any(value), 0)]
        for chosen in filter(None, value):
            record = record_for(chosen)
            if record is not None:
                options.append(self.create_option(name, chosen, describe(record), True, 1))
        return [(None, options, 0)]


class CitedRecordField(forms.Field):
    """One record of any kind that can be cited, sent as `<content type id>:<record id>`."""

    default_error_messages = {
        "invalid": _(
            "Choose a record from the list: one that exists, of a kind that can be cited."
        ),
    }

    def prepare_value(self, value):
        return record_value(value) if hasattr(value, "_meta") else value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if hasattr(value, "_meta"):
            return value
        record = record_for(value)
        if record is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return record


class CitationForm(forms.ModelForm):
    """A citation, its record picked by name (`cited_record`) rather than as a kind and an
    id. (`record` is the model's GenericForeignKey, which a form cannot name.)"""

    cited_record = CitedRecordField(
        label=_("record"),
        help_text=_(
            "The record the sentence is evidence for: type part of its name and pick it; "
            "every kind of record that can be cited is searched."
        ),
    )

    class Meta:
        model = Citation
        fields = ("source", "cited_record", "quote")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cited_record"].widget = CitedRecordSelect(
            reverse("admin:core_citation_records")
        )
        if self.instance.content_type_id and self.instance.object_id:
            self.initial.setdefault(
                "cited_record", f"{self.instance.content_type_id}:{self.instance.object_id}"
            )

    def clean(self):
        cleaned = super().clean()
        record = cleaned.get("cited_record")
        if record is not None:
            self.instance.content_type = ContentType.objects.get_for_model(record)
            self.instance.object_id = record.pk
        return cleaned

    def validate_unique(self):
        # The form leaves out the content type and id, so Django's own check leaves out the
        # constraint that names them (one citation of a quote per record).
        super().validate_unique()
        unique = constraint_named(Citation, "core_citation_unique_quote")
        try:
            unique.validate(Citation, self.instance, using=router.db_for_write(Citation))
        except ValidationError as error:
            self.add_error(None, error)


class CitedRecordSearchMixin:
    """A Citation admin with the view its record box asks (`records/`, JSON for select2):
    the records of every citable kind whose name matches `term`, each kind searched by its
    own admin, to a user who may view citations and that kind."""

    def get_urls(self):
        records = path(
            "records/",
            self.admin_site.admin_view(self.records_view),
            name="core_citation_records",
        )
        return [records, *super().get_urls()]

    def records_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        term = request.GET.get("term", "").strip()
        if len(term) > MAX_SEARCH_LENGTH:
            return JsonResponse(
                {"error": _("Type at most %(limit)d characters.") % {"limit": MAX_SEARCH_LENGTH}},
                status=400,
            )
        try:
            check_search_words(term)
        except ValidationError as error:
            return JsonResponse({"error": " ".join(error.messages)}, status=400)
        results = []
        if term:
            for model in citable_models():
                results += self.matching_records(request, model, term)
        return JsonResponse({"results": results, "pagination": {"more": False}})

    def matching_records(self, request, model, term):
        if not self.admin_site.is_registered(model):
            return []
        model_admin = self.admin_site.get_model_admin(model)
        if not model_admin.has_view_permission(request):
            return []
        found, duplicates = model_admin.get_search_results(
            request, model._default_manager.select_related(), term
        )
        if duplicates:
            found = found.distinct()
        return [
            {"id": record_value(record), "text": describe(record)} for record in found[:PER_KIND]
        ]
