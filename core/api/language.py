"""The content language of an answer: `?lang=`, else Accept-Language, else English."""

from django.conf import settings
from django.utils import translation
from rest_framework import exceptions


class LanguageMixin:
    """Activates the request's language for the whole answer and names it in
    Content-Language."""

    def initial(self, request, *args, **kwargs):
        self.language = self.choose_language(request)
        translation.activate(self.language)
        super().initial(request, *args, **kwargs)

    def choose_language(self, request):
        available = {code for code, _ in settings.LANGUAGES}
        requested = request.query_params.get("lang") if hasattr(request, "query_params") else None
        if requested is not None:
            if requested not in available:
                raise exceptions.ValidationError(
                    {"lang": [f"Choose one of: {', '.join(sorted(available))}."]}
                )
            return requested
        accepted = translation.get_language_from_request(request, check_path=False)
        return accepted if accepted in available else settings.LANGUAGE_CODE

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Language"] = getattr(self, "language", settings.LANGUAGE_CODE)
        response.setdefault("Vary", "Accept, Accept-Language")
        return response
