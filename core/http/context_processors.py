"""Template context every page shares."""

from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

from core.http.querystring import path_with_choices


def languages(request):
    """Links to the current page in each language (a plain link works without JavaScript),
    with the filters chosen and none of the blank fields a form sent."""
    current = get_language()
    path = path_with_choices(request)
    return {
        "language_links": [
            {
                "code": code,
                "name": name,
                "url": translate_url(path, code),
                "current": code == current,
            }
            for code, name in settings.LANGUAGES
        ]
    }
