"""Keep citations in step with the records they cite.

Models of this app get their citations deleted through CitedModel's GenericRelation. Exhibitor
and Sector live in the lower `exhibitors` app, which cannot point at Citation, so their
citations are removed here when they are deleted.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete

from exhibitors.models import Exhibitor, Sector

from .models import Citation


def delete_citations(sender, instance, **kwargs):
    Citation.objects.filter(
        content_type=ContentType.objects.get_for_model(sender), object_id=instance.pk
    ).delete()


def connect():
    for model in (Exhibitor, Sector):
        post_delete.connect(delete_citations, sender=model, dispatch_uid=f"citations-{model}")
