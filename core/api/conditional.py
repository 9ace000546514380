"""Conditional GET and the response cache, both keyed on the data version.

A list or record sends an ETag and Last-Modified that follow the directory's data version,
which any write moves: a revalidation is answered 304 from one primary-key lookup, before any
query over the records. A JSON 200 is kept in the cache until the version moves, and the same
request is then answered from it: like a 304 with a body.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from rest_framework import status

from core.changelog import dataversion

# A cached answer is keyed on the data version, so this only bounds how long an unused one
# stays in the cache.
CACHE_SECONDS = 60 * 60


class ConditionalGetMixin:
    """For a viewset whose `language` is set (see LanguageMixin)."""

    def data_version(self):
        """(number, changed): any write to the directory changes both."""
        return dataversion.current()

    def answer_from_version(self, request, version):
        """A 304 or a cached 200 for a request answered before at this data version.

        Both come before the parameters are checked, and may: this URL's ETag, and its
        cached body, exist only if it was answered with a 200 at this version, so its
        parameters were valid, and still are while the data stays the same.
        """
        if self.names_etag(request.headers.get("If-None-Match"), version):
            return self.with_version(HttpResponseNotModified(), version)
        key = self.response_cache_key(version)
        if key is None or request.headers.get("If-Modified-Since"):
            return None
        cached = cache.get(key)
        if cached is None:
            return None
        content, content_type = cached
        return self.with_version(HttpResponse(content, content_type=content_type), version)

    def not_modified(self, request, version):
        """A 304 if the client's copy (If-None-Match, else If-Modified-Since) is current."""
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match is not None:
            # Only this URL's own ETag: "*" would assert that a page or record exists, which
            # the data version alone cannot tell, so it is answered in full (200 or 404).
            matches = self.names_etag(if_none_match, version)
        else:
            since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
            changed = version[1]
            # A date later than the server's clock is invalid (RFC 9110, 13.1.3): ignored.
            matches = bool(since and changed and int(changed.timestamp()) <= since <= time.time())
        if not matches:
            return None
        # A plain response: nothing to render or negotiate for an empty body.
        return self.with_version(HttpResponseNotModified(), version)

    def etag(self, version):
        key = "|".join(
            [
                dataversion.stamp(version),
                self.request.get_full_path(),
                self.language,
                self.request.accepted_renderer.format,
            ]
        )
        return quote_etag(hashlib.sha256(key.encode()).hexdigest()[:32])

    def names_etag(self, if_none_match, version):
        """Whether an If-None-Match header lists this request's ETag at `version`."""
        tags = [tag.strip() for tag in (if_none_match or "").split(",")]
        return self.etag(version) in tags

    def with_version(self, response, version):
        response["ETag"] = self.etag(version)
        changed = version[1]
        if changed:
            response["Last-Modified"] = http_date(changed.timestamp())
        return response

    def response_cache_key(self, version):
        """Where a JSON answer to this request is kept, or None where none is kept.

        Everything the body depends on is in the key: the data version and the language
        (core.changelog.dataversion.cache_key adds both), the absolute URL (its links name the host)
        and the format. No answer depends on who asks, so signed-in users and anonymous ones
        share them.
        """
        if not settings.DIRECTORY_API_CACHE or self.request.method != "GET":
            return None
        if self.request.accepted_renderer.format != "json":
            return None
        return dataversion.cache_key(
            "api", self.request.build_absolute_uri(), "json", version=version
        )

    def keep_for_version(self, response, version):
        """Cache the rendered body of a JSON 200 until the data changes (see
        answer_from_version)."""
        key = self.response_cache_key(version)
        if key and response.status_code == status.HTTP_200_OK:

            def keep(rendered):
                cache.set(key, (rendered.content, rendered["Content-Type"]), CACHE_SECONDS)

            response.add_post_render_callback(keep)
        return response
