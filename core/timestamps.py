"""A moment as an editor reads it in the admin's history, recovery and import pages: to the
second, in the page's language and time zone, which it names ("Dec. 7, 2026, 21:40:05 UTC").

Django's DATETIME_FORMAT stops at the minute, and two writes of one minute would look alike.
"""

from django.utils import formats, timezone
from django.utils.translation import get_language

# The date of each language's DATETIME_FORMAT, with the time to the second.
FORMATS = {
    "en": "N j, Y, H:i:s T",
    "es": r"j \d\e F \d\e Y \a \l\a\s H:i:s T",
}


def timestamp(value):
    """`value` (an aware datetime) to the second in the current language and time zone;
    "" for None."""
    if value is None:
        return ""
    language = (get_language() or "en").split("-")[0]
    shown = timezone.localtime(value) if timezone.is_aware(value) else value
    return formats.date_format(shown, FORMATS.get(language, FORMATS["en"]))
