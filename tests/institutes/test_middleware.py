from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests.factories import (
    PASSWORD,
    CommitmentFactory,
    PersonFactory,
    ProgressUpdateFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("zone", "shown"),
    [("Europe/London", "1 Mar 2027 22:30"), ("Australia/Sydney", "2 Mar 2027 09:30")],
)
def test_times_are_shown_in_the_viewers_own_time_zone(client, zone, shown):
    commitment = CommitmentFactory()
    ProgressUpdateFactory(commitment=commitment, posted_at=datetime(2027, 3, 1, 22, 30, tzinfo=UTC))
    user = UserFactory(username="viewer", roles=["Policy officer"])
    PersonFactory(user=user, time_zone=zone)
    client.login(username="viewer", password=PASSWORD)
    body = client.get(reverse("mou:commitment-detail", args=[commitment.pk])).content.decode()
    assert shown in body
