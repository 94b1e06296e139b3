"""The shared commitment filters that the who-owes-what matrix links to."""

import pytest
from django.urls import reverse

from mou.filters import CommitmentFilter
from mou.models import Commitment
from tests.factories import (
    PASSWORD,
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _pks(data):
    return set(
        CommitmentFilter(data, queryset=Commitment.objects.all()).qs.values_list("pk", flat=True)
    )


def test_side_filter_separates_each_participant_alone_from_joint():
    agreement = AgreementFactory()
    uk, au = agreement.parties.order_by("pk")
    clause = ClauseFactory(agreement=agreement)
    by_uk = CommitmentFactory(clause=clause, owed_by=uk)
    by_au = CommitmentFactory(clause=clause, owed_by=au)
    joint = CommitmentFactory(clause=clause, owed_by=None)

    assert _pks({"side": "joint"}) == {joint.pk}
    assert _pks({"side": str(uk.pk)}) == {by_uk.pk}
    assert _pks({"side": str(au.pk)}) == {by_au.pk}
    # Unlike "owed by", which adds the participant's share of the joint ones.
    assert _pks({"owed_by": str(uk.pk)}) == {by_uk.pk, joint.pk}


def test_side_filter_rejects_an_unknown_value_by_name(client):
    UserFactory(username="officer", roles=["Policy officer"])
    client.login(username="officer", password=PASSWORD)
    CommitmentFactory()
    response = client.get(reverse("mou:commitment-list"), {"side": "nobody"})
    assert response.status_code == 200
    filterset = CommitmentFilter({"side": "nobody"}, queryset=Commitment.objects.all())
    assert "side" in filterset.errors
    assert "Select a valid choice" in filterset.errors["side"][0]
