"""core.integrity: which constraint a refused write broke."""

import pytest
from django.db import IntegrityError, transaction

from core.integrity import constraint_named, duplicated_constraint
from expos.models import Deal, Participation
from tests import factories

pytestmark = pytest.mark.django_db


def refusal(write):
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        write()
    return refused.value


def test_duplicate_names_its_constraint():
    taken = factories.ParticipationFactory()
    error = refusal(
        lambda: factories.ParticipationFactory(exhibitor=taken.exhibitor, expo=taken.expo)
    )
    name = duplicated_constraint(error)
    assert name == "expos_participation_unique_exhibitor_expo"
    assert constraint_named(Participation, name).fields == ("exhibitor", "expo")


def test_other_refusals_are_no_duplicate():
    error = refusal(lambda: factories.DealFactory(amount=-1))
    assert "expos_deal_amount_not_negative" in str(error)
    assert duplicated_constraint(error) is None
    assert constraint_named(Deal, "expos_participation_unique_exhibitor_expo") is None
