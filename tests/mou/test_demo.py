"""The demo data: real facts about the two UK–Australia MoUs, the rest plainly illustrative."""

from __future__ import annotations

from datetime import date, timedelta

import pghistory.models
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from core.actors import LOAD_DEMO
from core.history import acting
from institutes.models import Institute, Person
from mou import demo
from mou.models import (
    Agreement,
    Clause,
    Commitment,
    Milestone,
    Party,
    ProgressUpdate,
    Signatory,
)

pytestmark = pytest.mark.django_db

MODELS = [Institute, Person, Agreement, Party, Signatory, Clause, Commitment, Milestone]


@pytest.fixture(autouse=True)
def own_var_dir(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


def counts() -> dict[str, int]:
    found = {m.__name__: m.objects.count() for m in [*MODELS, ProgressUpdate]}
    found["users"] = get_user_model().objects.count()
    found["history"] = pghistory.models.Events.objects.count()
    return found


def load() -> list[tuple[str, str, str]]:
    with acting(LOAD_DEMO):
        return demo.load()


def test_load_demo_twice_changes_nothing():
    call_command("load_demo", verbosity=0)
    first = counts()
    call_command("load_demo", verbosity=0)
    assert counts() == first
    assert first["Agreement"] == 2
    assert first["history"] > 0


def test_load_demo_records_the_2026_mou_facts():
    load()
    mou = Agreement.objects.get(code="uk-au-ai-2026")
    assert mou.title == (
        "Memorandum of Understanding on Artificial Intelligence Safety and Security "
        "Collaboration between Australia and the UK"
    )
    assert mou.signed_on == date(2026, 5, 25)
    assert mou.signed_place == "Canberra"
    assert mou.status == "in_force"
    assert mou.effective_on is None
    assert "Effective date: not found" in mou.notes
    assert "uncertain" in mou.notes.lower()
    assert mou.source_url == ""
    assert "industry.gov.au" in mou.sources
    assert mou.builds_on.code == "uk-au-online-2024"
    assert sorted(mou.parties.values_list("short_name", flat=True)) == ["AU AISI", "UK AISI"]
    signatories = {s.name: s for s in mou.signatories.select_related("party__institute")}
    assert signatories["Kanishka Narayan"].office == "UK Minister for AI and Online Safety"
    assert signatories["Kanishka Narayan"].party.institute.short_name == "UK AISI"
    assert signatories["Dr Andrew Charlton"].office == (
        "Australian Assistant Minister for Science, Technology and the Digital Economy"
    )
    assert all("Uncertain" in s.notes for s in signatories.values())
    assert mou.clauses.count() == 6
    assert {"Staff exchanges", "Monitoring frontier AI"} <= set(
        mou.clauses.values_list("title", flat=True)
    )
    assert Commitment.objects.filter(agreement=mou, reference="6-a").exists()

    uk = Institute.objects.get(short_name="UK AISI")
    au = Institute.objects.get(short_name="AU AISI")
    assert (uk.name, uk.country, uk.time_zone) == (
        "UK AI Security Institute",
        "GB",
        "Europe/London",
    )
    assert "DSIT" in uk.parent_department
    assert (au.name, au.country, au.time_zone) == (
        "Australian AI Safety Institute",
        "AU",
        "Australia/Sydney",
    )
    assert "DISR" in au.parent_department
    assert "currently being established" in au.notes


def test_load_demo_records_the_2024_mou_facts():
    load()
    mou = Agreement.objects.get(code="uk-au-online-2024")
    assert mou.signed_on == date(2024, 2, 20)
    assert mou.legally_binding is False
    assert mou.signed_place == ""
    assert "Signing place: not found" in mou.notes
    assert "other four were not found" in mou.notes
    assert sorted(mou.parties.values_list("short_name", flat=True)) == ["DITRDCA", "DSIT"]
    assert set(mou.signatories.values_list("name", "office")) == {
        ("Michelle Donelan", "UK Secretary of State for Science, Innovation and Technology"),
        ("Michelle Rowland", "Australian Minister for Communications"),
    }
    assert "age assurance" in mou.summary
    joint_actions = Commitment.objects.filter(agreement=mou, clause__number="4")
    assert joint_actions.count() == 6
    assert all(c.is_joint for c in joint_actions)

    dialogue = Commitment.objects.get(agreement=mou, reference="3-a")
    assert dialogue.recurrence == "yearly"
    occurrences = list(dialogue.milestones.all())
    assert [(m.sequence, m.is_illustrative) for m in occurrences] == [(1, True)]
    assert Institute.objects.get(short_name="DITRDCA").time_zone == "Australia/Sydney"


def test_load_demo_flags_everything_illustrative():
    load()
    assert Person.objects.exists()
    for person in Person.objects.all():
        assert person.is_illustrative
        assert person.name.startswith("Illustrative ")
        assert person.email.endswith("@example.invalid")
    assert not Clause.objects.filter(is_illustrative=False).exists()
    assert not Commitment.objects.filter(is_illustrative=False).exists()
    assert not Milestone.objects.filter(is_illustrative=False).exists()
    assert all(u.note.startswith("Illustrative update") for u in ProgressUpdate.objects.all())
    for short_name in ["UK AISI", "AU AISI", "DSIT", "DITRDCA"]:
        assert Person.objects.filter(institute__short_name=short_name, is_contact=True).count() == 1
    owner = Person.objects.get(email="owner.uk-aisi@example.invalid")
    assert owner.manager is not None and owner.manager.institute_id == owner.institute_id


def test_load_demo_has_milestones_late_and_due_soon():
    load()
    today = timezone.localdate()
    open_milestones = Milestone.objects.filter(status="open")
    assert open_milestones.filter(due_on__lt=today).count() >= 2
    assert open_milestones.filter(due_on__gte=today, due_on__lte=today + timedelta(30)).count() >= 3
    assert Milestone.objects.filter(status="done", done_on__lte=today).exists()


def test_load_demo_makes_one_account_per_role():
    accounts = load()
    assert [(username, role) for username, _, role in accounts] == [
        ("officer", "Policy officer"),
        ("owner", "Commitment owner"),
        ("coordinator-uk", "Exchange coordinator"),
        ("coordinator-au", "Exchange coordinator"),
        ("analyst", "Reporting analyst"),
        ("admin", "Administrator"),
    ]
    users = get_user_model().objects.prefetch_related("groups")
    for username, password, role in accounts:
        user = users.get(username=username)
        assert [g.name for g in user.groups.all()] == [role]
        assert user.check_password(password)
    admin = users.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert not users.get(username="officer").is_superuser

    owner = Person.objects.get(user__username="owner")
    assert owner.email == "owner.uk-aisi@example.invalid"
    assert Commitment.objects.filter(owner=owner).count() >= 3
    assert Person.objects.get(user__username="coordinator-uk").institute.short_name == "UK AISI"
    assert Person.objects.get(user__username="coordinator-au").institute.short_name == "AU AISI"


def test_load_demo_password_is_kept_between_runs(settings):
    first = {password for _, password, _ in load()}
    assert len(first) == 1
    assert (settings.VAR_DIR / "demo_password").read_text().strip() == first.pop()
    again = {password for _, password, _ in load()}
    assert again == {(settings.VAR_DIR / "demo_password").read_text().strip()}


def test_load_demo_password_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "a-chosen-demo-password")
    accounts = load()
    assert {password for _, password, _ in accounts} == {"a-chosen-demo-password"}
    user = get_user_model().objects.get(username="analyst")
    assert user.check_password("a-chosen-demo-password")


def test_demo_accounts_exist_only_with_demo_data():
    assert not get_user_model().objects.filter(username__in=["officer", "admin"]).exists()


def test_place_dates_refuses_to_move_a_sourced_date():
    data = {"commitments": [{"milestones": [{"title": "x", "due_in_days": 3}]}]}
    with pytest.raises(ValueError, match="only illustrative"):
        demo.place_dates(data, date(2026, 1, 1))
