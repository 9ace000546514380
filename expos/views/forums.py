"""Forums and speakers: their lists, CSVs and pages."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from core.views import DirectoryCSVView, DirectoryListView, join
from expos import selectors
from expos.filtersets import ForumFilterSet, SpeakerFilterSet
from expos.models import Statement

FORUM_CSV_COLUMNS = [
    (_("title"), lambda f: f.title),
    (_("slug"), lambda f: f.slug),
    (_("kind"), lambda f: f.get_kind_display()),
    (_("expo"), lambda f: f.expo.name),
    (_("date"), lambda f: f.date or ""),
    (_("city"), lambda f: f.city),
    (_("organisers"), lambda f: join(f.organisers.all())),
    (_("speakers"), lambda f: join(a.speaker for a in f.appearances.all())),
    (_("topic"), lambda f: f.topic),
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
    (_("name"), lambda s: s.name),
    (_("slug"), lambda s: s.slug),
    (_("honorific"), lambda s: s.honorific),
    (_("role"), lambda s: s.role),
    (_("organisation"), lambda s: s.affiliation or ""),
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
