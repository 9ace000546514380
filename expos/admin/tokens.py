"""API tokens in the admin: each member of staff creates and revokes their own, without a
shell; a superuser sees, creates and revokes anyone's.

DRF's Token is one key a user: creating a token for someone who has one is a form error (revoke
it first), never a 500. The key is shown in full once, on the page that answers its creation,
and masked everywhere after, superusers included (the list, the revoking page and its message,
and the admin's log of actions: DRF's Token writes itself as its key, so these pages are the
admin's own with the masked key); one who loses it revokes it and creates another.

A member of staff needs the authtoken app's permissions to add, view and delete tokens (the
"API tokens | Token" permissions, given on their user or a group), and sees and touches their
own token alone whatever they hold.
"""

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION, DELETION, LogEntry
from django.contrib.admin.options import get_content_type_for_model
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import Token, TokenProxy

admin.site.unregister(TokenProxy)
# The admin index's section for them, apart from the directory's records: "API tokens" says
# more than DRF's app name, "Auth Token". (Token's models are DRF's, under the app label
# `authtoken`, which is what must stay: the name alone changes.)
apps.get_app_config("authtoken").verbose_name = _("API tokens")


def masked(key):
    return f"{key[:4]}…" if key else ""


@admin.register(TokenProxy)
class APITokenAdmin(TokenAdmin):
    list_display = ("user", "masked_key", "created", "revoke")
    list_display_links = None  # no page of one token: it has nothing to change
    autocomplete_fields = ("user",)
    delete_confirmation_template = "admin/authtoken/token_delete.html"

    @admin.display(description=_("Key"))
    def masked_key(self, obj):
        return masked(obj.key)

    @admin.display(description=_("Revoke"))
    def revoke(self, obj):
        url = reverse(f"{self.admin_site.name}:authtoken_tokenproxy_delete", args=[obj.user_id])
        return format_html('<a class="deletelink" href="{}">{}</a>', url, gettext("Revoke"))

    def own_only(self, request):
        return not request.user.is_superuser

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("user")
        return queryset.filter(user=request.user) if self.own_only(request) else queryset

    def get_fields(self, request, obj=None):
        if obj is not None:
            return ("user", "masked_key", "created")
        return ("user",) if not self.own_only(request) else ()

    def get_readonly_fields(self, request, obj=None):
        return ("user", "masked_key", "created") if obj is not None else ()

    def get_search_fields(self, request):
        return super().get_search_fields(request) if not self.own_only(request) else ()

    def get_list_filter(self, request):
        return super().get_list_filter(request) if not self.own_only(request) else ()

    def has_change_permission(self, request, obj=None):
        return False  # a key is never edited: revoke it and create another

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or not self.own_only(request) or obj.user == request.user)

    def has_view_permission(self, request, obj=None):
        if obj is not None:
            return False  # the list says all there is; the page of one would show the key
        return super().has_view_permission(request) or self.has_add_permission(request)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        own = self.own_only(request)

        class TokenForm(form):
            def clean(self):
                cleaned = super().clean()
                if own:
                    self.instance.user = request.user
                user = self.instance.user if own else cleaned.get("user")
                if user is not None and Token.objects.filter(user=user).exists():
                    message = gettext(
                        "%(user)s has a token already: revoke it before creating another."
                    ) % {"user": user}
                    raise ValidationError({"user": message} if not own else message)
                return cleaned

        return TokenForm

    def log(self, request, obj, flag, message):
        LogEntry.objects.create(
            user_id=request.user.pk,
            content_type_id=get_content_type_for_model(obj).pk,
            object_id=str(obj.user_id),
            object_repr=gettext("API token of %(user)s") % {"user": obj.user},
            action_flag=flag,
            change_message=message,
        )

    def log_addition(self, request, obj, message):
        self.log(request, obj, ADDITION, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self.log(request, obj, DELETION, "")

    def response_delete(self, request, obj_display, obj_id):
        """Django's own message would name the token by its key (obj_display)."""
        message = gettext("The API token was revoked: it no longer works.")
        self.message_user(request, message, messages.SUCCESS)
        changelist = f"{self.admin_site.name}:authtoken_tokenproxy_changelist"
        return HttpResponseRedirect(reverse(changelist))

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        context = {**(extra_context or {}), "token_user": obj.user if obj else None}
        if obj is not None:
            context["masked_key"] = masked(obj.key)
        return super().delete_view(request, object_id, context)

    def response_add(self, request, obj, post_url_continue=None):
        """The key, in full, this once."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("API token created"),
            "token": obj,
        }
        response = TemplateResponse(request, "admin/authtoken/token_created.html", context)
        response["Cache-Control"] = "no-store"
        return response
