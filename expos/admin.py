"""Admin for expos and everything that happens at them, with the citations of every record.

Translated models use exhibitors.admin.DirectoryAdmin (django-reversion's VersionAdmin with
django-modeltranslation's TranslationAdmin); Source and Citation, which are not translated, use
VersionAdmin alone. Every change through the admin is therefore recorded in a revision with its
user, and staff can restore earlier versions from each record's History page.

Every change list of a translated model counts as the public lists do (core.admin: capped and
estimated counts); an expo is chosen in a filter through the admin's autocomplete rather than
from a list of five thousand links, and expos, exhibitors and participations are searched
through the full-text and trigram indexes.
"""

from django import forms
from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_countries.filters import CountryFilter
from modeltranslation.admin import TranslationTabularInline
from modeltranslation.utils import get_translation_fields
from reversion.admin import VersionAdmin

from core.admin import (
    AutocompleteFilter,
    CountedAdminMixin,
    DistinctCountryFilter,
    IndexedSearchMixin,
    capped_figures,
    country_column,
)
from core.search import MAX_SEARCH_LENGTH
from exhibitors.admin import DirectoryAdmin, ExhibitorAdmin
from exhibitors.models import Exhibitor

from .models import (
    Appearance,
    Area,
    Award,
    Citation,
    Deal,
    Expo,
    ExpoSeries,
    Figure,
    Forum,
    Highlight,
    ImportRun,
    Organisation,
    Participation,
    Source,
    Speaker,
    Statement,
    citable_models,
)

SHORT_TEXT = {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}
# Participations in the inline of an expo's page (see ExpoAdmin.get_formset_kwargs).
EXPO_PAGE_PARTICIPATIONS = 25


# --- Inlines -------------------------------------------------------------------------------


class CitationInline(GenericTabularInline):
    """The quoted sentences a record is taken from.

    The inline's ModelForm runs Citation.full_clean(), so Citation.clean() rejects a quote that
    is not in the source document.
    """

    model = Citation
    fields = ("source", "quote")
    autocomplete_fields = ("source",)
    extra = 0
    formfield_overrides = {models.TextField: SHORT_TEXT}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")


class ParticipationInline(TranslationTabularInline):
    """On the expo page the exhibitor is chosen, on the exhibitor page the expo."""

    model = Participation
    autocomplete_fields = ("exhibitor", "expo", "area")
    extra = 0
    show_change_link = True  # the participation's own page has its citations
    formfield_overrides = {models.TextField: SHORT_TEXT}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("exhibitor", "expo", "area")


class AppearanceInline(TranslationTabularInline):
    """On the forum page the speaker is chosen, on the speaker page the forum."""

    model = Appearance
    autocomplete_fields = ("speaker", "forum")
    extra = 0
    show_change_link = True
    formfield_overrides = {models.TextField: SHORT_TEXT}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("speaker", "forum")


# --- Base class ----------------------------------------------------------------------------


class CitedAdmin(CountedAdminMixin, DirectoryAdmin):
    """A versioned, translated admin for a CitedModel, showing its citations, whose change
    list counts as the public lists do (core.admin.CountedAdminMixin)."""

    inlines = [CitationInline]


# --- Provenance ----------------------------------------------------------------------------


@admin.register(Source)
class SourceAdmin(VersionAdmin):
    list_display = ("title", "publisher", "published_on", "language", "file_name", "citation_count")
    list_filter = ("language", "publisher", "title_supplied")
    search_fields = ("title", "slug", "publisher", "author", "file_name")
    date_hierarchy = "published_on"
    prepopulated_fields = {"slug": ("title",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(num_citations=Count("citations"))

    @admin.display(description=_("citations"), ordering="num_citations")
    def citation_count(self, obj):
        return obj.num_citations


@admin.register(Citation)
class CitationAdmin(VersionAdmin):
    """All citations in one list; they are usually edited inline on the record they cite."""

    list_display = ("short_quote", "source", "content_type", "record_link")
    list_filter = ("source", ("content_type", admin.RelatedOnlyFieldListFilter))
    search_fields = ("quote", "source__title")
    list_select_related = ("source", "content_type")
    autocomplete_fields = ("source",)
    # content_type stays a plain select, limited below to the models that can be cited.

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "content_type":
            cited = ContentType.objects.get_for_models(*citable_models()).values()
            kwargs["queryset"] = ContentType.objects.filter(
                pk__in=[content_type.pk for content_type in cited]
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("quoted sentence"), ordering="quote")
    def short_quote(self, obj):
        return obj.quote if len(obj.quote) <= 80 else f"{obj.quote[:80]}…"

    @admin.display(description=_("record"))
    def record_link(self, obj):
        ct = obj.content_type
        label = f"{ct.name} #{obj.object_id}"
        try:
            url = reverse(
                f"{self.admin_site.name}:{ct.app_label}_{ct.model}_change", args=[obj.object_id]
            )
        except NoReverseMatch:
            return label
        return format_html('<a href="{}">{}</a>', url, label)


# --- Organisations -------------------------------------------------------------------------


@admin.register(Organisation)
class OrganisationAdmin(CitedAdmin):
    list_display = ("name", "short_name", "kind", country_column(), "city")
    list_filter = ("kind", ("country", CountryFilter))
    search_fields = (*get_translation_fields("name", "short_name", "city"), "slug")
    prepopulated_fields = {"slug": ("name",)}


# --- Expos ---------------------------------------------------------------------------------


@admin.register(ExpoSeries)
class ExpoSeriesAdmin(CitedAdmin):
    list_display = ("name", "short_name", "expo_count")
    list_filter = (("expos__country", CountryFilter), "expos__edition_year")
    search_fields = (*get_translation_fields("name"), "short_name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(num_expos=Count("expos", distinct=True))

    @admin.display(description=_("expos"), ordering="num_expos")
    def expo_count(self, obj):
        return obj.num_expos


@admin.register(Expo)
class ExpoAdmin(IndexedSearchMixin, CitedAdmin):
    list_display = (
        "name",
        "series",
        "edition_year",
        "start_date",
        "end_date",
        "city",
        country_column(),
        "format",
    )
    list_filter = (
        "edition_year",
        ("country", DistinctCountryFilter),
        "series",
        "format",
        "sectors",
    )
    # What the search reads (core.admin.IndexedSearchMixin): the full-text vector and the
    # trigram index of the names. It also serves the autocomplete of every expo field.
    search_fields = get_translation_fields("name", "short_name", "city", "venue", "description")
    search_names = ("name_en", "name_es")
    list_select_related = ("series",)
    date_hierarchy = "start_date"
    autocomplete_fields = ("series", "parent", "organisers", "sectors")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [ParticipationInline, CitationInline]
    readonly_fields = ("all_participations",)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        # An expo at a million exhibitors has hundreds of them: all in the inline made its page
        # megabytes, with a query for each row's autocomplete boxes. The inline holds the
        # first EXPO_PAGE_PARTICIPATIONS (by exhibitor name); the rest are a link away
        # (all_participations), and a save touches only the rows shown.
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, ParticipationInline) and obj is not None and obj.pk:
            first = (
                Participation.objects.filter(expo=obj)
                .order_by("exhibitor__name_en", "pk")
                .values("pk")[:EXPO_PAGE_PARTICIPATIONS]
            )
            kwargs["queryset"] = kwargs["queryset"].filter(pk__in=first)
        return kwargs

    @admin.display(description=_("participations"))
    def all_participations(self, obj):
        if obj is None or not obj.pk:
            return "—"
        total, exact = capped_figures(Participation.objects.filter(expo=obj))
        shown = number_format(total, force_grouping=True)
        url = reverse(f"{self.admin_site.name}:expos_participation_changelist")
        return format_html(
            '<a href="{}?expo__id__exact={}">{}</a>',
            url,
            obj.pk,
            _("All %(count)s, in the participation list; the first %(first)s are below.")
            % {
                "count": shown if exact else _("about %(count)s") % {"count": shown},
                "first": EXPO_PAGE_PARTICIPATIONS,
            },
        )


@admin.register(Figure)
class FigureAdmin(CitedAdmin):
    list_display = ("subject", "metric", "qualifier", "value", "currency", "year", "expo", "series")
    list_filter = ("metric", ("expo", AutocompleteFilter), "series", "year")
    search_fields = get_translation_fields("subject", "note", "expo__name", "series__name")
    list_select_related = ("expo", "series")
    autocomplete_fields = ("expo", "series")


@admin.register(Area)
class AreaAdmin(CitedAdmin):
    list_display = ("name", "kind", "expo", "size_m2", "sector")
    list_filter = ("kind", ("expo", AutocompleteFilter), "expo__edition_year", "sector")
    search_fields = get_translation_fields("name", "expo__name")
    list_select_related = ("expo", "sector")
    autocomplete_fields = ("expo", "sector")


@admin.register(Participation)
class ParticipationAdmin(CitedAdmin):
    list_display = ("exhibitor", "expo", "area", country_column("exhibitor__country"))
    list_filter = (
        ("expo", AutocompleteFilter),
        "expo__edition_year",
        ("exhibitor__country", DistinctCountryFilter),
        "exhibitor__sectors",
    )
    # A participation is found by its exhibitor or its expo, each searched as its own list
    # searches them (get_search_results); what it showed (`showcase`) has no index.
    search_fields = get_translation_fields("exhibitor__name", "expo__name")
    search_help_text = _("Words of the exhibitor or of the expo, searched as in their lists.")
    list_select_related = ("exhibitor", "expo", "area")
    autocomplete_fields = ("exhibitor", "expo", "area")

    def get_search_results(self, request, queryset, search_term):
        search_term = search_term.strip()[:MAX_SEARCH_LENGTH]
        if not search_term:
            return queryset, False
        found = {}
        for model in (Exhibitor, Expo):
            model_admin = self.admin_site.get_model_admin(model)
            matches, _duplicates = model_admin.get_search_results(
                request, model._default_manager.all(), search_term
            )
            found[model] = matches.order_by().values("pk")
        # Each half through its own index (participations of these exhibitors, of these
        # expos), joined by id: an OR of the two would be checked row by row along the list.
        by_exhibitor = Participation.objects.filter(exhibitor__in=found[Exhibitor])
        by_expo = Participation.objects.filter(expo__in=found[Expo])
        ids = by_exhibitor.values("pk").union(by_expo.values("pk"))
        return queryset.filter(pk__in=ids), False


# --- Forums and people ---------------------------------------------------------------------


@admin.register(Forum)
class ForumAdmin(CitedAdmin):
    list_display = ("title", "kind", "expo", "date", "city")
    list_filter = (("expo", AutocompleteFilter), "expo__edition_year", "kind")
    search_fields = (*get_translation_fields("title", "city", "topic", "expo__name"), "slug")
    list_select_related = ("expo",)
    autocomplete_fields = ("expo", "organisers", "partners")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [AppearanceInline, CitationInline]


@admin.register(Speaker)
class SpeakerAdmin(CitedAdmin):
    list_display = ("name", "honorific", "role", "exhibitor", "organisation")
    list_filter = (
        ("appearances__forum__expo", AutocompleteFilter),
        ("exhibitor__country", CountryFilter),
    )
    search_fields = (
        "name",
        "slug",
        *get_translation_fields("role", "exhibitor__name", "organisation__name"),
    )
    list_select_related = ("exhibitor", "organisation")
    autocomplete_fields = ("exhibitor", "organisation")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [AppearanceInline, CitationInline]


@admin.register(Appearance)
class AppearanceAdmin(CitedAdmin):
    list_display = ("speaker", "forum", "role", "expo")
    list_filter = (("forum__expo", AutocompleteFilter), "forum__expo__edition_year", "forum")
    search_fields = ("speaker__name", *get_translation_fields("forum__title", "role", "topic"))
    list_select_related = ("speaker", "forum__expo")
    autocomplete_fields = ("speaker", "forum")

    @admin.display(description=_("expo"), ordering="forum__expo")
    def expo(self, obj):
        return obj.forum.expo


@admin.register(Statement)
class StatementAdmin(CitedAdmin):
    list_display = ("speaker", "expo", "short_text")
    list_filter = (("expo", AutocompleteFilter), "expo__edition_year")
    search_fields = ("speaker__name", *get_translation_fields("text", "expo__name"))
    list_select_related = ("speaker", "expo")
    autocomplete_fields = ("speaker", "expo")

    @admin.display(description=_("what they said"))
    def short_text(self, obj):
        return obj.text if len(obj.text) <= 80 else f"{obj.text[:80]}…"


# --- Outcomes ------------------------------------------------------------------------------


@admin.register(Deal)
class DealAdmin(CitedAdmin):
    list_display = ("title", "expo", "project_count", "amount", "currency", "amount_usd")
    list_filter = (("expo", AutocompleteFilter), "expo__edition_year", "sectors", "currency")
    search_fields = (*get_translation_fields("title", "description", "expo__name"), "slug")
    list_select_related = ("expo",)
    autocomplete_fields = ("expo", "sectors", "parties")
    prepopulated_fields = {"slug": ("title",)}


@admin.register(Award)
class AwardAdmin(CitedAdmin):
    list_display = ("name", "recipient", "expo")
    list_filter = (
        ("expo", AutocompleteFilter),
        "expo__edition_year",
        ("recipient__country", CountryFilter),
    )
    search_fields = get_translation_fields("name", "reason", "recipient__name", "expo__name")
    list_select_related = ("expo", "recipient")
    autocomplete_fields = ("expo", "recipient")


@admin.register(Highlight)
class HighlightAdmin(CitedAdmin):
    list_display = ("title", "expo", "area", "forum", "exhibitor")
    list_filter = (("expo", AutocompleteFilter), "expo__edition_year", "area__sector")
    search_fields = get_translation_fields("title", "description", "expo__name")
    list_select_related = ("expo", "area", "forum", "exhibitor")
    autocomplete_fields = ("expo", "area", "forum", "exhibitor")


# --- Import history ------------------------------------------------------------------------


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """What each bulk import did: written by the importer, read here, never edited. Superusers
    may delete old entries."""

    list_display = ("started", "file_name", "outcome", "user", "rows", "written", "finished")
    list_filter = ("outcome", ("started", admin.DateFieldListFilter))
    search_fields = ("file_name", "error", "user__username")
    list_select_related = ("user",)
    date_hierarchy = "started"
    # Without change permission every field is shown read-only; `written` reads `tables`.
    fields = ("file_name", "outcome", "user", "system_user", "started", "finished", "rows")
    fields += ("written", "error")
    readonly_fields = ("written",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description=_("rows written per table"))
    def written(self, obj):
        return "; ".join(
            _("%(table)s: %(inserted)s inserted, %(updated)s updated, %(deleted)s deleted")
            % {"table": table, **counts}
            for table, counts in obj.tables.items()
        )


# --- Exhibitors, seen from the expos ------------------------------------------------------
# `exhibitors` is the lower layer and never imports from `expos`, so its ExhibitorAdmin cannot
# show where an exhibitor took part. This app can: replace that admin with a subclass that adds
# the participations inline, the citations inline, an expo count and expo filters. INSTALLED_APPS
# lists exhibitors before expos, so exhibitors/admin.py has registered Exhibitor by now (the
# import above would register it anyway); DirectoryAdmin re-registers the model with reversion
# so that the new inlines are followed.
admin.site.unregister(Exhibitor)


@admin.register(Exhibitor)
class ExhibitorWithParticipationsAdmin(ExhibitorAdmin):
    list_display = (*ExhibitorAdmin.list_display, "expo_count")
    list_filter = (
        *ExhibitorAdmin.list_filter,
        ("participations__expo", AutocompleteFilter),
        "participations__expo__edition_year",
    )
    inlines = [*ExhibitorAdmin.inlines, ParticipationInline, CitationInline]

    def annotate_page(self, request, rows):
        # Counted for the rows of the page only (core.admin.CountedChangeList), in one query:
        # counted for the whole list, as an annotation, it grouped three million
        # participations before the first page, and so the column is not sortable.
        # (exhibitor, expo) is unique, so its rows count the expos.
        counts = dict(
            Participation.objects.filter(exhibitor__in=[row.pk for row in rows])
            .order_by()
            .values("exhibitor")
            .annotate(expos=Count("pk"))
            .values_list("exhibitor", "expos")
        )
        for row in rows:
            row.num_expos = counts.get(row.pk, 0)

    @admin.display(description=_("expos"))
    def expo_count(self, obj):
        return obj.num_expos
