"""Writes: one transaction per write, its editor named in the change log (core.changelog,
which the database writes), and what the request answers afterwards keyed on the new data."""

from django.db import transaction

from core.changelog import act_as
from core.dataversion import forget


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
        # A record others PROTECT raises ProtectedError: core.api.errors answers 409.
        with transaction.atomic():
            act_as(self.request.user)
            instance.delete()
        forget()
