"""Demo data: the two real UK–Australia MoUs, and one demo account per role.

The agreements live in ``mou/data/`` as import files (see ``mou.exchange_format``): the facts
come from public sources named in each file, and everything the sources do not give (owners,
clause numbers, dates of milestones, statuses) is marked illustrative. Loading is idempotent:
records are found by their natural keys (institute short name, person e-mail, agreement code,
clause number, commitment reference, milestone title) and only missing ones are created, so a
second run writes nothing and adds no history.
"""

from __future__ import annotations

import os
import secrets
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from core.actors import LOAD_DEMO
from core.history import acting
from institutes.choices import Role
from institutes.models import Person
from institutes.services import person_update
from mou import services
from mou.exchange_format import import_text
from mou.models import Commitment, ProgressUpdate

DATA_DIR = Path(__file__).resolve().parent / "data"
# In load order: the 2026 MoU builds on the 2024 one.
AGREEMENT_FILES = ["uk-au-online-2024.yaml", "uk-au-ai-2026.yaml"]

# (username, role, e-mail of the illustrative person the account is linked to)
ACCOUNTS: list[tuple[str, Role, str | None]] = [
    ("officer", Role.POLICY_OFFICER, "contact.uk-aisi@example.invalid"),
    ("owner", Role.COMMITMENT_OWNER, "owner.uk-aisi@example.invalid"),
    ("coordinator-uk", Role.EXCHANGE_COORDINATOR, "coordinator.uk-aisi@example.invalid"),
    ("coordinator-au", Role.EXCHANGE_COORDINATOR, "coordinator.au-aisi@example.invalid"),
    ("analyst", Role.REPORTING_ANALYST, None),
    ("admin", Role.ADMINISTRATOR, None),
]

# Illustrative progress updates so that "recent updates" has something to show:
# (agreement code, commitment reference, author e-mail, days ago, note).
UPDATES: list[tuple[str, str, str, int, str]] = [
    (
        "uk-au-ai-2026",
        "1-a",
        "owner.uk-aisi@example.invalid",
        3,
        "Illustrative update: first briefings exchanged; a routine for sharing risk "
        "assessments is being agreed.",
    ),
    (
        "uk-au-ai-2026",
        "3-a",
        "owner.uk-aisi@example.invalid",
        40,
        "Illustrative update: research priorities are still being discussed while the "
        "Australian institute is being established.",
    ),
    (
        "uk-au-online-2024",
        "4-b",
        "owner.ditrdca@example.invalid",
        12,
        "Illustrative update: draft principles are with both sides for comment.",
    ),
]


@transaction.atomic
def load() -> list[tuple[str, str, str]]:
    """Load the demo agreements; return the demo accounts as (username, password, role)."""
    today = timezone.localdate()
    with acting(LOAD_DEMO):
        for name in AGREEMENT_FILES:
            text = (DATA_DIR / name).read_text(encoding="utf-8")
            import_text(
                text,
                actor=LOAD_DEMO,
                existing="keep",
                prepare=lambda data: place_dates(data, today),
            )
        _post_updates()
        return _accounts()


def place_dates(data: Any, today: date) -> Any:
    """Turn an illustrative milestone's ``due_in_days``/``done_in_days`` into dates.

    Only illustrative milestones may be dated relative to the loading day: a fact from a
    source has a fixed date.
    """
    for commitment in (data or {}).get("commitments") or []:
        for milestone in commitment.get("milestones") or []:
            relative = {"due_in_days": "due_on", "done_in_days": "done_on"}
            for key, target in relative.items():
                if key not in milestone:
                    continue
                if milestone.get("is_illustrative") is not True:
                    raise ValueError(f"{milestone.get('title')}: only illustrative dates move.")
                milestone[target] = (today + timedelta(days=int(milestone.pop(key)))).isoformat()
    return data


def _post_updates() -> None:
    for code, reference, author_email, days_ago, note in UPDATES:
        commitment = Commitment.objects.get(agreement__code=code, reference=reference)
        if ProgressUpdate.objects.filter(commitment=commitment, note=note).exists():
            continue
        services.progress_update_post(
            commitment=commitment,
            actor=LOAD_DEMO,
            author=Person.objects.get(email__iexact=author_email),
            note=note,
            posted_at=timezone.now() - timedelta(days=days_ago),
        )


def demo_password() -> str:
    """DEMO_PASSWORD when set; else one made on the first run and kept in var/demo_password."""
    from_env = os.environ.get("DEMO_PASSWORD", "")
    if from_env:
        return from_env
    path = Path(settings.VAR_DIR) / "demo_password"
    if path.exists():
        stored = path.read_text(encoding="utf-8").strip()
        if stored:
            return stored
    path.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(12)
    path.write_text(password + "\n", encoding="utf-8")
    path.chmod(0o600)
    return password


def _accounts() -> list[tuple[str, str, str]]:
    password = demo_password()
    user_model = get_user_model()
    groups = {g.name: g for g in Group.objects.filter(name__in=[str(r) for r in Role])}
    accounts = []
    for username, role, person_email in ACCOUNTS:
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={
                "email": f"{username}@example.invalid",
                "first_name": "Demo",
                "last_name": str(role.label).lower(),
                "is_staff": role == Role.ADMINISTRATOR,
                "is_superuser": role == Role.ADMINISTRATOR,
            },
        )
        if created or not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        user.groups.add(groups[str(role)])
        if person_email:
            person = Person.objects.select_related("user").get(email__iexact=person_email)
            if person.user_id is None and not Person.objects.filter(user=user).exists():
                person_update(
                    person=person, actor=LOAD_DEMO, changes={"user": user}, expected_version=None
                )
        accounts.append((username, password, str(role.label)))
    return accounts
