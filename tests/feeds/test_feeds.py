"""Calendar feeds: parsed with icalendar, one all-day event per open milestone, stable UIDs,
secret per-user URLs that a reset replaces."""

import datetime as dt

import pytest
from django.urls import reverse
from icalendar import Calendar

from core.errors import PermissionDenied
from feeds import selectors, services
from feeds.models import CalendarFeed
from mou import services as mou_services
from tests.factories import (
    PASSWORD,
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    MilestoneFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    user = UserFactory(username="owner", roles=["Commitment owner"])
    PersonFactory(user=user, name="Olive Owner")
    return user


def _token(user):
    feed = services.calendar_feed_reset(actor=user, user=user)
    return selectors.feed_token(feed)


def _events(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return {str(e["UID"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}


def test_my_feed_has_one_all_day_event_per_open_milestone_of_mine(client, owner):
    person = owner.person
    commitment = CommitmentFactory(owner=person)
    mine = MilestoneFactory(commitment=commitment, title="Draft terms", due_on=dt.date(2027, 3, 31))
    under_my_commitment = MilestoneFactory(commitment=commitment, owner=PersonFactory())
    MilestoneFactory(commitment=commitment, status="done", done_on=dt.date(2026, 1, 5))
    MilestoneFactory(commitment=commitment, status="cancelled", status_reason="Dropped.")
    MilestoneFactory()  # someone else's

    events = _events(client, reverse("feeds:mine", args=[_token(owner)]))

    assert len(events) == 2
    event = next(e for e in events.values() if str(e["SUMMARY"]).startswith("Draft terms"))
    assert event.decoded("DTSTART") == dt.date(2027, 3, 31)
    assert event.decoded("DTEND") == dt.date(2027, 4, 1)
    assert event["DTSTART"].params.get("VALUE") == "DATE"
    assert str(event["URL"]).endswith(f"/milestones/{mine.pk}/")
    assert f"milestone-{under_my_commitment.pk}@" in " ".join(events)


def test_agreement_feed_carries_every_open_milestone_of_the_agreement(client, owner):
    agreement = AgreementFactory(code="feed-mou", title="Feed MoU")
    for _ in range(3):
        MilestoneFactory(commitment=CommitmentFactory(clause=ClauseFactory(agreement=agreement)))
    MilestoneFactory()  # another agreement
    token = _token(owner)
    response = client.get(reverse("feeds:agreement", args=[token, "feed-mou"]))
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Accord: Feed MoU"
    assert len(calendar.walk("VEVENT")) == 3
    assert client.get(reverse("feeds:agreement", args=[token, "no-such"])).status_code == 404


def test_uids_stay_stable_across_edits_and_a_cancelled_milestone_leaves_the_feed(client, owner):
    commitment = CommitmentFactory(owner=owner.person)
    milestone = MilestoneFactory(
        commitment=commitment, title="Workshop", due_on=dt.date(2027, 5, 1)
    )
    other = MilestoneFactory(commitment=commitment, title="Report", due_on=dt.date(2027, 6, 1))
    url = reverse("feeds:mine", args=[_token(owner)])
    before = _events(client, url)

    mou_services.milestone_reschedule(milestone=milestone, due_on=dt.date(2027, 5, 20), actor=owner)
    mou_services.milestone_update(
        milestone=milestone, actor=owner, changes={"title": "Joint workshop"}, expected_version=None
    )
    after = _events(client, url)
    assert set(after) == set(before)
    uid = next(u for u in after if u.startswith(f"milestone-{milestone.pk}@"))
    assert after[uid].decoded("DTSTART") == dt.date(2027, 5, 20)
    assert str(after[uid]["SUMMARY"]).startswith("Joint workshop")
    assert int(after[uid]["SEQUENCE"]) > int(before[uid]["SEQUENCE"])

    mou_services.milestone_cancel(milestone=other, actor=owner, reason="Merged into the workshop.")
    assert set(_events(client, url)) == {uid}


def test_a_wrong_token_is_refused(client, owner):
    token = _token(owner)
    assert client.get(reverse("feeds:mine", args=[token + "x"])).status_code == 404
    assert client.get(reverse("feeds:mine", args=["not-a-token"])).status_code == 404
    # A key read from the database is not enough without the site's signature.
    key = CalendarFeed.objects.get(user=owner).key
    assert client.get(reverse("feeds:mine", args=[key])).status_code == 404
    owner.is_active = False
    owner.save()
    assert client.get(reverse("feeds:mine", args=[token])).status_code == 404


def test_reset_invalidates_the_old_url(client, owner):
    old = _token(owner)
    assert client.get(reverse("feeds:mine", args=[old])).status_code == 200
    new = _token(owner)
    assert new != old
    assert client.get(reverse("feeds:mine", args=[old])).status_code == 404
    assert client.get(reverse("feeds:mine", args=[new])).status_code == 200


def test_only_the_person_or_an_administrator_may_reset_a_feed(owner):
    other = UserFactory(roles=["Policy officer"])
    with pytest.raises(PermissionDenied):
        services.calendar_feed_reset(actor=other, user=owner)
    assert not CalendarFeed.objects.filter(user=owner).exists()
    admin = UserFactory(roles=["Administrator"])
    assert services.calendar_feed_reset(actor=admin, user=owner).user == owner


def test_settings_page_makes_shows_and_resets_the_addresses(client, owner):
    client.login(username="owner", password=PASSWORD)
    AgreementFactory(code="listed-mou", title="Listed MoU")
    page = client.get(reverse("feeds:settings")).content.decode()
    assert "Make my calendar addresses" in page

    response = client.post(reverse("feeds:reset"), follow=True)
    page = response.content.decode()
    assert "Your calendar addresses are ready." in page
    token = selectors.feed_token(CalendarFeed.objects.get(user=owner))
    assert f"/calendar/{token}/mine.ics" in page
    assert f"/calendar/{token}/agreements/listed-mou.ics" in page
    assert "Outlook" in page and "Google Calendar" in page and "Apple Calendar" in page

    page = client.post(reverse("feeds:reset"), follow=True).content.decode()
    assert "the old ones no longer work" in page
    assert token not in page
    assert client.get(reverse("feeds:reset")).status_code == 405


@pytest.mark.parametrize("size", [2, 20])
def test_feed_and_settings_query_counts_do_not_grow(client, owner, size, django_assert_num_queries):
    agreement = AgreementFactory(code="sized")
    for _ in range(size):
        commitment = CommitmentFactory(
            clause=ClauseFactory(agreement=agreement), owner=owner.person
        )
        MilestoneFactory(commitment=commitment)
        AgreementFactory()
    token = _token(owner)
    # The token's feed and user, then the milestones.
    with django_assert_num_queries(2):
        assert len(_events(client, reverse("feeds:mine", args=[token]))) == size
    with django_assert_num_queries(3):
        assert len(_events(client, reverse("feeds:agreement", args=[token, "sized"]))) == size
    client.login(username="owner", password=PASSWORD)
    # The settings page: session, user, person, reminder count, feed, agreements.
    with django_assert_num_queries(6):
        assert client.get(reverse("feeds:settings")).status_code == 200
