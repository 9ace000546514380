"""The many-to-many links of expos, forums and deals, each a core.models.Link: part of its
expo, forum or deal, and keeping the sector, organisation or exhibitor it names from being
deleted while it names it (a 409 naming the link's owner, see core.history.deletion)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Link, link_is_unique
from exhibitors.models import Exhibitor, Sector

from .expos import Expo
from .forums import Forum
from .organisations import Organisation
from .outcomes import Deal


class ExpoSector(Link):
    """One of an expo's sectors."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("expo"), on_delete=models.CASCADE, related_name="sector_links"
    )
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="expo_links"
    )

    class Meta:
        db_table = "expos_expo_sectors"
        ordering = ["expo", "sector"]
        verbose_name = _("sector of an expo")
        verbose_name_plural = _("sectors of expos")
        constraints = [link_is_unique("expo", "sector")]


class ExpoOrganiser(Link):
    """One of an expo's organisers."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("expo"), on_delete=models.CASCADE, related_name="organiser_links"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="expo_links",
    )

    class Meta:
        db_table = "expos_expo_organisers"
        ordering = ["expo", "organisation"]
        verbose_name = _("organiser of an expo")
        verbose_name_plural = _("organisers of expos")
        constraints = [link_is_unique("expo", "organisation")]


class ForumOrganiser(Link):
    """One of a forum's organisers."""

    forum = models.ForeignKey(
        Forum, verbose_name=_("forum"), on_delete=models.CASCADE, related_name="organiser_links"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="forum_organiser_links",
    )

    class Meta:
        db_table = "expos_forum_organisers"
        ordering = ["forum", "organisation"]
        verbose_name = _("organiser of a forum")
        verbose_name_plural = _("organisers of forums")
        constraints = [link_is_unique("forum", "organisation")]


class ForumPartner(Link):
    """One of the organisations a forum is held in collaboration with."""

    forum = models.ForeignKey(
        Forum, verbose_name=_("forum"), on_delete=models.CASCADE, related_name="partner_links"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="forum_partner_links",
    )

    class Meta:
        db_table = "expos_forum_partners"
        ordering = ["forum", "organisation"]
        verbose_name = _("partner of a forum")
        verbose_name_plural = _("partners of forums")
        constraints = [link_is_unique("forum", "organisation")]


class DealSector(Link):
    """One of a deal's sectors."""

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="sector_links"
    )
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="deal_links"
    )

    class Meta:
        db_table = "expos_deal_sectors"
        ordering = ["deal", "sector"]
        verbose_name = _("sector of a deal")
        verbose_name_plural = _("sectors of deals")
        constraints = [link_is_unique("deal", "sector")]


class DealParty(Link):
    """One of a deal's parties."""

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="party_links"
    )
    exhibitor = models.ForeignKey(
        Exhibitor, verbose_name=_("exhibitor"), on_delete=models.PROTECT, related_name="deal_links"
    )

    class Meta:
        db_table = "expos_deal_parties"
        ordering = ["deal", "exhibitor"]
        verbose_name = _("party to a deal")
        verbose_name_plural = _("parties to deals")
        constraints = [link_is_unique("deal", "exhibitor")]
