"""The language of the admin, and the site's language switch remembered for it.

The public pages carry their language in the address (English at /…, Spanish at /es/…), and
Django's LocaleMiddleware serves every address without a prefix in English. The admin has no
prefix: it is served in the language the visitor last read the site in (the language
cookie, which the pages set when the switch is used), else in the browser's
(Accept-Language), else in English.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.urls import get_script_prefix, reverse, translate_url
from django.utils import translation
from django.utils.cache import patch_vary_headers


def admin_root():
    """The admin's address without the script prefix ("/admin/")."""
    return "/" + reverse("admin:index")[len(get_script_prefix()) :]


def remember_language(response, language):
    """Set the language cookie as Django's own set_language view does."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class DirectoryLocaleMiddleware(LocaleMiddleware):
    """LocaleMiddleware, with the admin in the visitor's language (see the module).

    A page read at /es/… remembers Spanish in the language cookie; an English page read with
    the cookie saying another language (the EN link of the switch) remembers English. A
    visitor who never used the switch sets no cookie, and the admin follows the browser.
    """

    def is_admin(self, request):
        return request.path_info.startswith(admin_root())

    def process_request(self, request):
        if not self.is_admin(request):
            return super().process_request(request)
        translation.activate(translation.get_language_from_request(request, check_path=False))
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if self.is_admin(request):
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        elif response.status_code == 200 and response.get("Content-Type", "").startswith(
            "text/html"
        ):
            self.remember_page_language(request, response)
        return response

    def remember_page_language(self, request, response):
        remembered = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        in_path = translation.get_language_from_path(request.path_info)
        if in_path:
            if remembered != in_path:
                remember_language(response, in_path)
            return
        default = settings.LANGUAGE_CODE
        if remembered is None or remembered == default:
            return
        # Only a public page (one with a translated address) is a choice of language.
        path = request.path_info
        other = next(code for code, _name in settings.LANGUAGES if code != default)
        if translate_url(path, other) != translate_url(path, default):
            remember_language(response, default)
