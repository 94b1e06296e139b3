import pytest

from core.actors import LOAD_DEMO
from core.history import acting
from exchanges import demo as exchanges_demo
from exchanges.models import Secondment
from mou import demo as mou_demo


@pytest.mark.django_db
def test_demo_does_nothing_without_the_agreement():
    exchanges_demo.load()
    assert not Secondment.objects.exists()


@pytest.mark.django_db
def test_demo_loads_illustrative_secondments_once(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "a-demo-password-for-tests")
    with acting(LOAD_DEMO):
        mou_demo.load()
        exchanges_demo.load()
    secondments = list(Secondment.objects.for_list())
    assert len(secondments) == 5
    assert all(s.is_illustrative and s.person.is_illustrative for s in secondments)
    assert all(s.person.name.startswith("Illustrative secondee ") for s in secondments)
    assert {s.status for s in secondments} == {
        "proposed", "approved", "active", "completed", "cancelled",
    }  # fmt: skip
    assert {s.direction for s in secondments} == {"UK→AU", "AU→UK"}
    assert all(s.commitments.filter(reference="6-a").exists() for s in secondments)
    events = Secondment.pgh_event_model.objects.count()
    with acting(LOAD_DEMO):
        exchanges_demo.load()
    assert Secondment.objects.count() == 5
    assert Secondment.pgh_event_model.objects.count() == events
