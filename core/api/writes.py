"""Writes: one transaction per write, its editor named in the change log (core.changelog.log,
which the database writes) and in the admin's "Recent actions" (an admin LogEntry saying it
came through the API), and what the request answers afterwards keyed on the new data."""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db import transaction

from core.api.errors import DependentsExist
from core.changelog.dataversion import forget
from core.changelog.log import act_as
from core.history.deletion import dependents

# Stored as written, as Django's own entries store their field names: in English.
ADDED = "Added through the API."
CHANGED = "Changed through the API: {fields}."
UNCHANGED = "Saved through the API, unchanged."
DELETED = "Deleted through the API."


def log_api_write(user, instance, action, message):
    """The admin's LogEntry of a write through the API, in the write's transaction."""
    LogEntry.objects.log_actions(
        user.pk, [instance], action, change_message=message, single_object=True
    )


def changed_fields(serializer):
    """The verbose names of the model fields a write sent, in the model's order."""
    sent = set(serializer.validated_data)
    opts = serializer.Meta.model._meta
    names = [str(f.verbose_name) for f in opts.get_fields() if f.name in sent and f.concrete]
    return names or sorted(sent)


class OneTransactionWritesMixin:
    def perform_create(self, serializer):
        with transaction.atomic():
            act_as(self.request.user)
            instance = serializer.save()
            log_api_write(self.request.user, instance, ADDITION, ADDED)
        forget()

    def perform_update(self, serializer):
        with transaction.atomic():
            act_as(self.request.user)
            instance = serializer.save()
            fields = changed_fields(serializer)
            message = CHANGED.format(fields=", ".join(fields)) if fields else UNCHANGED
            log_api_write(self.request.user, instance, CHANGE, message)
        forget()

    def perform_destroy(self, instance):
        # A record others depend on is a 409 naming them, counted without loading them all
        # (as Django's ProtectedError would); one written since is the same 409
        # (core.api.errors).
        found = dependents(instance)
        if found:
            raise DependentsExist(str(instance._meta.verbose_name), found)
        with transaction.atomic():
            act_as(self.request.user)
            # Logged first: the entry names the record by its id and name, gone after.
            log_api_write(self.request.user, instance, DELETION, DELETED)
            instance.delete()
        forget()
