"""Forums and speakers: their lists, CSVs and pages."""

from django.db.models import F
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from core.exports.sql import Sql, as_text, col, date, display, field, join_of, related
from core.lists.views import DirectoryCSVView, DirectoryListView
from expos import selectors
from expos.filtersets import ForumFilterSet, SpeakerFilterSet
from expos.models import Statement


def speaker_name(prefix=""):
    """str(speaker) in SQL, for the speaker at `prefix` ("speaker__" from an appearance)."""

    def name(model):
        honorific = as_text(field(model, f"{prefix}honorific"))
        return Sql("btrim({0} || ' ' || {1})", honorific, as_text(field(model, f"{prefix}name")))

    return name


def affiliation(queryset):
    """`speaker.affiliation or ""` in SQL: the exhibitor's name, else the organisation's."""
    model = queryset.model
    return Sql(
        "CASE WHEN {0} IS NOT NULL THEN {1} WHEN {2} IS NOT NULL THEN {3} ELSE '' END",
        F("exhibitor"),
        as_text(field(model, "exhibitor__name")),
        F("organisation"),
        as_text(field(model, "organisation__name")),
    )


FORUM_CSV_COLUMNS = [
    (_("title"), col("title")),
    (_("slug"), col("slug")),
    (_("kind"), display("kind")),
    (_("expo"), related("expo", "name")),
    (_("date"), date("date")),
    (_("city"), col("city")),
    (_("organisers"), join_of("organisers")),
    (_("speakers"), join_of("appearances", speaker_name("speaker__"))),
    (_("topic"), col("topic")),
]


class ForumListView(DirectoryListView):
    template_name = "expos/forum_list.html"
    filterset_class = ForumFilterSet
    title = _("Forums")
    csv_url_name = "expos:forum-csv"

    def get_queryset(self):
        return selectors.forums()


class ForumCSVView(DirectoryCSVView, ForumListView):
    csv_columns = FORUM_CSV_COLUMNS
    csv_filename = "forums.csv"


class ForumDetailView(TemplateView):
    template_name = "expos/forum_detail.html"

    def get_context_data(self, **kwargs):
        forum = get_object_or_404(selectors.forums(), slug=kwargs["slug"])
        appearances = list(forum.appearances.all())
        highlights = list(forum.highlights.all())
        selectors.attach_citations([forum], appearances, highlights)
        return super().get_context_data(
            forum=forum, appearances=appearances, highlights=highlights, title=forum.title
        )


# --- Speakers ------------------------------------------------------------------------------

SPEAKER_CSV_COLUMNS = [
    (_("name"), col("name")),
    (_("slug"), col("slug")),
    (_("honorific"), col("honorific")),
    (_("role"), col("role")),
    (_("organisation"), affiliation),
]


class SpeakerListView(DirectoryListView):
    template_name = "expos/speaker_list.html"
    filterset_class = SpeakerFilterSet
    title = _("Speakers")
    csv_url_name = "expos:speaker-csv"

    def get_queryset(self):
        return selectors.speakers()


class SpeakerCSVView(DirectoryCSVView, SpeakerListView):
    csv_columns = SPEAKER_CSV_COLUMNS
    csv_filename = "speakers.csv"


class SpeakerDetailView(TemplateView):
    template_name = "expos/speaker_detail.html"

    def get_context_data(self, **kwargs):
        speaker = get_object_or_404(selectors.speakers(), slug=kwargs["slug"])
        appearances = list(
            speaker.appearances.select_related("forum", "forum__expo").order_by("forum__date")
        )
        statements = list(Statement.objects.filter(speaker=speaker).select_related("expo"))
        selectors.attach_citations([speaker], appearances, statements)
        return super().get_context_data(
            speaker=speaker, appearances=appearances, statements=statements, title=str(speaker)
        )
