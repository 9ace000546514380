"""Expos and what an expo holds: series, figures, areas and participations."""

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import NestedObjects, model_ngettext, quote
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.filters import CountryFilter
from modeltranslation.utils import get_translation_fields

from core.admin.changelists import (
    AutocompleteFilter,
    DistinctCountryFilter,
    IndexedSearchMixin,
    capped_figures,
    country_column,
    search_term_is_accepted,
)
from core.changelog.log import act_as
from core.lists.search import MAX_SEARCH_LENGTH
from exhibitors.models import Exhibitor

from .. import removal
from ..models import (
    Area,
    Expo,
    ExpoSeries,
    Figure,
    Participation,
)
from .base import CitationInline, CitedAdmin, ParticipationInline

# Participations in the inline of an expo's page (see ExpoAdmin.get_formset_kwargs).
EXPO_PAGE_PARTICIPATIONS = 25


# --- Expos ---------------------------------------------------------------------------------


@admin.register(ExpoSeries)
class ExpoSeriesAdmin(CitedAdmin):
    list_display = ("name", "short_name", "expo_count")
    list_filter = (("expos__country", CountryFilter), "expos__edition_year")
    search_fields = (*get_translation_fields("name"), "short_name", "slug")
    prepopulated_fields = {"slug": ("name_en",)}

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
    # What the search reads (core.admin.changelists.IndexedSearchMixin): the full-text vector and
    # the trigram index of the names. It also serves the autocomplete of every expo field.
    search_fields = get_translation_fields("name", "short_name", "city", "venue", "description")
    search_names = ("name_en", "name_es")
    list_select_related = ("series",)
    date_hierarchy = "start_date"
    autocomplete_fields = ("series", "parent", "organisers", "sectors")
    prepopulated_fields = {"slug": ("name_en",)}
    inlines = [ParticipationInline, CitationInline]
    readonly_fields = ("all_participations",)
    actions = ["remove_with_everything"]

    @admin.action(description=_("Remove with everything they hold"), permissions=["delete"])
    def remove_with_everything(self, request, queryset):
        """The expos chosen and everything they hold (expos.removal), listed in full and
        removed once confirmed, in one transaction; refused while anything else depends on
        them, or without the permission to delete every kind of record that would go."""
        expos = list(queryset.order_by("pk"))
        listed, counts, perms_needed, protected = self.removal_of(request, expos)
        if request.POST.get("post") and not protected:
            if perms_needed:
                raise PermissionDenied
            with transaction.atomic(using=router.db_for_write(Expo)):
                act_as(request.user)  # the change log names the editor who removed them
                self.log_deletions(request, queryset)
                deleted = removal.remove_with_everything(expos)
            self.message_user(
                request,
                gettext("Removed %(expos)s with everything they held: %(rows)s.")
                % {
                    "expos": ", ".join(str(expo) for expo in expos),
                    "rows": ", ".join(
                        f"{count} {model_ngettext(apps.get_model(label), count)}"
                        for label, count in sorted(deleted.items())
                    ),
                },
                messages.SUCCESS,
            )
            return None
        objects_name = model_ngettext(self.opts, len(expos))
        context = {
            **self.admin_site.each_context(request),
            "title": (
                gettext("Cannot remove %(name)s") % {"name": objects_name}
                if perms_needed or protected
                else gettext("Remove with everything they hold")
            ),
            "subtitle": None,
            "objects_name": str(objects_name),
            "deletable_objects": [listed],
            "model_count": counts.items(),
            "queryset": expos,
            "perms_lacking": perms_needed,
            "protected": protected,
            "opts": self.opts,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/expos/expo/remove_with_everything.html", context)

    def removal_of(self, request, expos):
        """What removing `expos` would delete, as the admin's delete pages list it: the nested
        list, the count of each kind, the kinds this user may not delete, and what else depends
        on them (any, and nothing is removed)."""
        collector = NestedObjects(using=router.db_for_write(Expo), origin=expos)
        removal.collect(collector, expos)
        perms_needed = set()

        def shown(obj):
            opts = obj._meta
            if not self.admin_site.is_registered(type(obj)):
                return f"{capfirst(opts.verbose_name)}: {obj}"
            if not self.admin_site.get_model_admin(type(obj)).has_delete_permission(request, obj):
                perms_needed.add(opts.verbose_name)
            try:
                url = reverse(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                    args=(quote(obj.pk),),
                )
            except NoReverseMatch:
                return f"{capfirst(opts.verbose_name)}: {obj}"
            return format_html('{}: <a href="{}">{}</a>', capfirst(opts.verbose_name), url, obj)

        listed = collector.nested(shown)
        protected = [shown(obj) for obj in collector.protected]
        counts = {
            model._meta.verbose_name_plural: len(objs)
            for model, objs in collector.model_objs.items()
        }
        return listed, counts, perms_needed, protected

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
        if not search_term_is_accepted(request, search_term):
            return queryset.none(), False
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
