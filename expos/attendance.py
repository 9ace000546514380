"""The expo lists' `attendance` filter: how an expo can be attended, hybrid expos included."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Expo


class AttendanceFilter(django_filters.MultipleChoiceFilter):
    """How an expo can be attended. A hybrid expo can be attended online and in person, so
    `online` and `in_person` find it too; `hybrid` finds only hybrid expos. The facet counts
    each option by the same rule (facet_counts), so a count is what choosing it gives."""

    # The formats each value finds, as plain strings (the values the form gives).
    FINDS = {
        Expo.Format.IN_PERSON.value: {Expo.Format.IN_PERSON.value, Expo.Format.HYBRID.value},
        Expo.Format.ONLINE.value: {Expo.Format.ONLINE.value, Expo.Format.HYBRID.value},
        Expo.Format.HYBRID.value: {Expo.Format.HYBRID.value},
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", Expo.Format.choices)
        kwargs.setdefault("label", _("Format"))
        kwargs.setdefault(
            "help_text",
            _(
                "How the expo can be attended. `online` and `in_person` include hybrid expos "
                "(which can be attended either way); `hybrid` finds only hybrid expos."
            ),
        )
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        formats = sorted({found for chosen in value for found in self.FINDS[chosen]})
        return qs.filter(**{f"{self.field_name}__in": formats})

    def facet_counts(self, counts):
        """{value: how many expos it finds} from {format: how many expos have it}."""
        found = {
            value: sum(counts.get(f, 0) for f in formats) for value, formats in self.FINDS.items()
        }
        return {value: count for value, count in found.items() if count}
