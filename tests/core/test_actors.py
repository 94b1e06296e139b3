"""Every service names who acts: a required, keyword-only, typed ``actor`` with no default,
and a missing actor is refused rather than treated as all-powerful."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest

from core.actors import IMPORT_AGREEMENT, LOAD_DEMO, REMINDERS, Right, SystemActor
from core.errors import PermissionDenied
from exchanges import permissions as exchange_permissions
from institutes import services as institute_services
from mou import permissions as mou_permissions
from mou import services as mou_services
from tests.factories import CommitmentFactory, InstituteFactory, SecondmentFactory

APPS = ["institutes", "mou", "exchanges", "reminders", "reporting", "feeds", "api_tokens"]
NOT_ACTIONS = {
    "api_tokens.services.token_authenticate",
    "api_tokens.services.digest_of",
    "api_tokens.services.must_be_read_only",
}
REMINDER_PROCESS_MODULES = (
    "reminders.services.scan.",
    "reminders.services.delivery.",
    "reminders.services.digest.",
)


def _service_modules() -> list[ModuleType]:
    found = []
    for app in APPS:
        try:
            module = importlib.import_module(f"{app}.services")
        except ModuleNotFoundError:
            continue
        found.append(module)
        if hasattr(module, "__path__"):
            for info in pkgutil.iter_modules(module.__path__):
                found.append(importlib.import_module(f"{app}.services.{info.name}"))
    return found


def _writing_services() -> list[tuple[str, inspect.Signature]]:
    """Public functions defined in a services module that take an actor or write."""
    found = []
    for module in _service_modules():
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            found.append((f"{module.__name__}.{name}", inspect.signature(function)))
    return found


def test_services_are_found() -> None:
    names = {name for name, _ in _writing_services()}
    assert "mou.services.commitment_update" in names
    assert "exchanges.services.secondment_update" in names
    assert "institutes.services.person_create" in names


@pytest.mark.parametrize(("name", "signature"), _writing_services(), ids=lambda v: str(v)[:60])
def test_every_service_requires_a_typed_actor(name: str, signature: inspect.Signature) -> None:
    # The reminder scan and delivery run only as the reminders process, on a schedule, and
    # write only the reminders' own outbox (which keeps no history): they take ``now``.
    if name.startswith(REMINDER_PROCESS_MODULES):
        return
    # Authentication establishes who the actor is (and stamps the token's last use); the
    # other two are pure functions of a key or a user.
    if name in NOT_ACTIONS:
        return
    actor = signature.parameters.get("actor")
    assert actor is not None, f"{name} takes no actor"
    assert actor.kind is inspect.Parameter.KEYWORD_ONLY, f"{name}: actor must be keyword-only"
    assert actor.default is inspect.Parameter.empty, f"{name}: actor must have no default"
    assert "Actor" in str(actor.annotation), f"{name}: actor must be typed as Actor"


@pytest.mark.django_db
def test_a_missing_actor_is_refused_not_all_powerful() -> None:
    commitment = CommitmentFactory()
    with pytest.raises(TypeError, match="needs an actor"):
        mou_services.commitment_update(
            commitment=commitment, actor=None, changes={"notes": "x"}, expected_version=None
        )
    commitment.refresh_from_db()
    assert commitment.notes != "x"


@pytest.mark.django_db
def test_system_processes_have_exactly_the_rights_their_job_needs() -> None:
    commitment = CommitmentFactory()
    secondment = SecondmentFactory()
    assert mou_permissions.can_manage_agreements(LOAD_DEMO)
    assert mou_permissions.can_manage_agreements(IMPORT_AGREEMENT)
    # The reminder process writes its own outbox only: nothing in the register.
    assert not mou_permissions.can_manage_agreements(REMINDERS)
    assert not mou_permissions.can_edit_commitment(REMINDERS, commitment)
    assert not exchange_permissions.can_edit_secondment(REMINDERS, secondment)
    # Importing an agreement does not touch secondments.
    assert not exchange_permissions.can_edit_secondment(IMPORT_AGREEMENT, secondment)
    assert exchange_permissions.can_edit_secondment(LOAD_DEMO, secondment)
    nobody = SystemActor("nobody")
    with pytest.raises(PermissionDenied):
        institute_services.institute_update(
            institute=InstituteFactory(), actor=nobody, changes={"notes": "x"},
            expected_version=None,
        )  # fmt: skip
    assert SystemActor("people", frozenset({Right.PEOPLE})).may(Right.PEOPLE)
