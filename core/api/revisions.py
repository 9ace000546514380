"""Writes: one transaction and one change-history revision per write, with its user."""

import reversion
from django.db import transaction

from core.deletion import dependents

from .errors import DependentsExist


class RevisionMixin:
    def perform_create(self, serializer):
        with transaction.atomic(), reversion.create_revision():
            serializer.save()
            self.sign_revision("Created through the API.")

    def perform_update(self, serializer):
        with transaction.atomic(), reversion.create_revision():
            serializer.save()
            self.sign_revision("Changed through the API.")

    def perform_destroy(self, instance):
        # A record others depend on is a 409 naming them, counted without loading them all
        # (as Django's ProtectedError would); one written since is the same 409
        # (core.api.errors).
        found = dependents(instance)
        if found:
            raise DependentsExist(str(instance._meta.verbose_name), found)
        with transaction.atomic(), reversion.create_revision():
            instance.delete()
            self.sign_revision("Deleted through the API.")

    def sign_revision(self, comment):
        reversion.set_user(self.request.user)
        reversion.set_comment(comment)
