"""Writes: one transaction and one change-history revision per write, with its user."""

import reversion
from django.db import transaction


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
        # A record others PROTECT raises ProtectedError: core.api.errors answers 409.
        with transaction.atomic(), reversion.create_revision():
            instance.delete()
            self.sign_revision("Deleted through the API.")

    def sign_revision(self, comment):
        reversion.set_user(self.request.user)
        reversion.set_comment(comment)
