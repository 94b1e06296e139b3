"""Date boxes show the stored value in the format the browser's box reads, whatever the locale."""

import datetime as dt
import importlib
import inspect
import re

import django_filters
import pytest
from django import forms
from django.utils import translation

from core.forms import DateInput, DateTimeInput

BROWSER_BOXES = {"date": r"\d{4}-\d{2}-\d{2}", "datetime-local": r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"}
FORM_MODULES = ["mou.forms", "exchanges.forms", "mou.filters", "exchanges.filters"]


@pytest.fixture(autouse=True)
def en_gb():
    # The locale whose first date input format is dd/mm/yyyy, which a date box cannot show.
    with translation.override("en-gb"):
        yield


def test_date_input_renders_iso_in_en_gb():
    html = DateInput().render("due_on", dt.date(2027, 3, 31))
    assert 'type="date"' in html
    assert 'value="2027-03-31"' in html


def test_date_time_input_renders_what_datetime_local_reads():
    html = DateTimeInput().render("at", dt.datetime(2027, 3, 31, 8, 5))  # noqa: DTZ001
    assert 'type="datetime-local"' in html
    assert 'value="2027-03-31T08:05"' in html


def test_a_date_field_reads_back_what_its_box_sends():
    class Form(forms.Form):
        on = forms.DateField(widget=DateInput)
        at = forms.DateTimeField(widget=DateTimeInput)

    form = Form({"on": "2027-03-31", "at": "2027-03-31T08:05"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["on"] == dt.date(2027, 3, 31)
    assert form.cleaned_data["at"].replace(tzinfo=None) == dt.datetime(2027, 3, 31, 8, 5)  # noqa: DTZ001


def _forms_of_the_app() -> list[type[forms.Form]]:
    found = []
    for name in FORM_MODULES:
        module = importlib.import_module(name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if obj.__module__ != name:
                continue
            if issubclass(obj, forms.BaseForm):
                found.append(obj)
            elif issubclass(obj, django_filters.FilterSet):
                found.append(obj().form.__class__)
    return found


def test_every_date_field_of_every_form_uses_the_shared_boxes():
    checked = 0
    for form_class in _forms_of_the_app():
        for name, field in form_class.base_fields.items():
            where = f"{form_class.__name__}.{name}"
            if isinstance(field, forms.DateTimeField):
                assert isinstance(field.widget, DateTimeInput), where
                checked += 1
            elif isinstance(field, forms.DateField):
                assert isinstance(field.widget, DateInput), where
                checked += 1
    assert checked >= 10  # the scan really found the app's date fields


def test_the_commitment_form_shows_its_stored_dates(db):
    from mou.forms import CommitmentForm
    from tests.factories import CommitmentFactory

    commitment = CommitmentFactory(start_on=dt.date(2026, 6, 1), target_on=dt.date(2027, 5, 31))
    html = str(CommitmentForm(commitment=commitment))
    assert 'value="2026-06-01"' in html
    assert 'value="2027-05-31"' in html


def _round_trips(field: forms.Field, name: str, value: object) -> object:
    """What the field reads back from the inputs its widget renders for ``value``."""
    html = field.widget.render(name, field.prepare_value(value))
    inputs = re.findall(r'type="([^"]+)" name="([^"]+)" value="([^"]*)"', html)
    assert inputs, html  # the widget did show a value
    for kind, _, shown in inputs:
        # What a browser's own box can show; anything else opens empty.
        assert re.fullmatch(BROWSER_BOXES.get(kind, ".*"), shown), html
    data = {input_name: shown for _, input_name, shown in inputs}
    return field.clean(field.widget.value_from_datadict(data, {}, name))


def _date_fields(form_class: type[forms.BaseForm]) -> list[tuple[str, forms.Field]]:
    return [
        (name, field)
        for name, field in form_class.base_fields.items()
        if isinstance(field, forms.DateField | forms.DateTimeField | forms.SplitDateTimeField)
    ]


def test_every_date_box_of_the_pages_and_the_admin_reads_back_what_it_shows(rf, admin_user):
    from django.contrib import admin
    from django.utils import timezone

    request = rf.get("/admin/")
    request.user = admin_user
    form_classes = _forms_of_the_app()
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in {"mou", "exchanges", "institutes", "reminders"}:
            form_classes.append(model_admin.get_form(request, None))
    day = dt.date(2027, 3, 31)
    moment = timezone.make_aware(dt.datetime(2027, 3, 31, 8, 5))  # noqa: DTZ001
    checked = 0
    for form_class in form_classes:
        for name, field in _date_fields(form_class):
            value = day if isinstance(field, forms.DateField) else moment
            assert _round_trips(field, name, value) == value, f"{form_class.__name__}.{name}"
            checked += 1
    assert checked >= 20
