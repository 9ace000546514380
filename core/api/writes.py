"""Writes: one transaction per write, its editor named in the change log (core.changelog.log,
which the database writes), and what the request answers afterwards keyed on the new data."""

from django.db import transaction

from core.api.errors import DependentsExist
from core.changelog.dataversion import forget
from core.changelog.log import act_as
from core.history.deletion import dependents


class OneTransactionWritesMixin:
    def perform_create(self, serializer):
        with transaction.atomic():
            act_as(self.request.user)
            serializer.save()
        forget()

    def perform_update(self, serializer):
        with transaction.atomic():
            act_as(self.request.user)
            serializer.save()
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
            instance.delete()
        forget()
