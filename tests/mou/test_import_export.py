"""Whole agreements as YAML: round trip, and every kind of bad file refused whole."""

from __future__ import annotations

from pathlib import Path

import pghistory.models
import pytest
from django.core.management import CommandError, call_command

from core.actors import IMPORT_AGREEMENT, LOAD_DEMO
from core.history import acting
from institutes.models import Institute, Person
from mou import demo
from mou.exchange_format import ImportRefused, export_agreement, import_text
from mou.models import Agreement, Clause, Commitment, Milestone, Party, Signatory

pytestmark = pytest.mark.django_db

MODELS = [Institute, Person, Agreement, Party, Signatory, Clause, Commitment, Milestone]

VALID = """\
format: accord-agreement/1
institutes:
  - short_name: AA
    name: Alpha Institute
    country: GB
    time_zone: Europe/London
  - short_name: BB
    name: Beta Institute
    country: AU
    time_zone: Australia/Sydney
people:
  - email: owner.aa@example.invalid
    name: Owner at Alpha
    institute: AA
  - email: owner.bb@example.invalid
    name: Owner at Beta
    institute: BB
    manager: owner.aa@example.invalid
agreement:
  code: test-mou
  title: A test memorandum
  status: in_force
  signed_on: 2026-05-25
  parties:
    - institute: AA
    - institute: BB
  signatories:
    - name: First Signatory
      office: Minister
      party: AA
clauses:
  - number: "1"
    title: Clause one
  - number: "2"
    title: Clause two
commitments:
  - reference: 1-a
    clause: "1"
    title: Share things
    owed_by: AA
    lead_institute: AA
    owner: owner.aa@example.invalid
    milestones:
      - title: First share
        due_on: 2026-12-01
        owner: owner.bb@example.invalid
  - reference: 2-a
    clause: "2"
    title: Meet every year
    owed_by: joint
    lead_institute: BB
    owner: owner.bb@example.invalid
    start_on: 2027-03-01
    recurrence: yearly
"""


def counts() -> dict[str, int]:
    found = {m.__name__: m.objects.count() for m in MODELS}
    found["history"] = pghistory.models.Events.objects.count()
    return found


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "agreement.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path: Path, text: str) -> str:
    """The command's error message; asserts that nothing was written."""
    before = counts()
    with pytest.raises(CommandError) as caught:
        call_command("import_agreement", str(write(tmp_path, text)))
    assert counts() == before
    return str(caught.value)


def test_import_agreement_writes_a_valid_file(tmp_path):
    call_command("import_agreement", str(write(tmp_path, VALID)))
    agreement = Agreement.objects.get(code="test-mou")
    assert sorted(agreement.parties.values_list("short_name", flat=True)) == ["AA", "BB"]
    assert agreement.signatories.get().party.institute.short_name == "AA"
    share = Commitment.objects.get(reference="1-a")
    assert share.owed_by.short_name == "AA"
    assert share.milestones.get().owner.email == "owner.bb@example.invalid"
    yearly = Commitment.objects.get(reference="2-a")
    assert yearly.is_joint
    assert [m.sequence for m in yearly.milestones.all()] == [1]
    bb_owner = Person.objects.get(email="owner.bb@example.invalid")
    assert bb_owner.manager.email == "owner.aa@example.invalid"
    assert bb_owner.time_zone == "Australia/Sydney"


def test_export_then_import_into_an_empty_register_gives_the_same_data(tmp_path):
    with acting(LOAD_DEMO):
        demo.load()
    exported = export_agreement("uk-au-ai-2026")
    path = tmp_path / "export.yaml"
    call_command("export_agreement", "uk-au-ai-2026", "-o", str(path))
    assert path.read_text(encoding="utf-8") == exported

    # Empty the register of this agreement and of everything it names.
    agreement = Agreement.objects.get(code="uk-au-ai-2026")
    institutes = list(agreement.parties.all())
    Commitment.objects.filter(agreement=agreement).delete()
    Signatory.objects.filter(agreement=agreement).delete()
    agreement.delete()
    Person.objects.filter(institute__in=institutes).delete()
    Institute.objects.filter(pk__in=[i.pk for i in institutes]).delete()
    assert not Person.objects.filter(email="owner.uk-aisi@example.invalid").exists()

    call_command("import_agreement", str(path))
    assert export_agreement("uk-au-ai-2026") == exported
    imported = Agreement.objects.get(code="uk-au-ai-2026")
    assert imported.clauses.count() == 6
    assert Milestone.objects.filter(commitment__agreement=imported, status="done").count() == 1


def test_export_then_import_a_recurring_series_under_a_new_code(tmp_path):
    with acting(LOAD_DEMO):
        demo.load()
    exported = export_agreement("uk-au-online-2024")
    copy = exported.replace("code: uk-au-online-2024", "code: copy-2024")
    call_command("import_agreement", str(write(tmp_path, copy)))
    assert export_agreement("copy-2024") == copy
    dialogue = Commitment.objects.get(agreement__code="copy-2024", reference="3-a")
    assert list(dialogue.milestones.values_list("sequence", flat=True)) == [1]


def test_export_agreement_unknown_code_is_an_error():
    with pytest.raises(CommandError, match="No agreement with code “nope”"):
        call_command("export_agreement", "nope")


def test_import_agreement_refuses_an_existing_code(tmp_path):
    call_command("import_agreement", str(write(tmp_path, VALID)))
    message = refused(tmp_path, VALID)
    assert "agreement.code" in message
    assert "already exists" in message


def test_import_agreement_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_agreement", str(tmp_path / "absent.yaml"))


BAD_FILES = {
    "yaml syntax": (
        ("    title: Clause one\n", "    title: [Clause one\n"),
        ["not valid YAML", "line "],
    ),
    "missing field": (
        ("    lead_institute: AA\n", ""),
        ["line 37, commitments[0].lead_institute: is required"],
    ),
    "bad date": (
        ("  signed_on: 2026-05-25", "  signed_on: 2026-02-30"),
        ["line 23, agreement.signed_on", "not a real date"],
    ),
    "date in words": (
        ("  signed_on: 2026-05-25", "  signed_on: 25 May 2026"),
        ["agreement.signed_on", "YYYY-MM-DD"],
    ),
    "unknown institute": (
        ("    - institute: BB\n  signatories", "    - institute: ZZ\n  signatories"),
        ["line 26, agreement.parties[1].institute", "no institute with short name “ZZ”"],
    ),
    "duplicate clause number": (
        ('  - number: "2"\n', '  - number: "1"\n'),
        ["line 34, clauses[1].number", "clause “1” is given twice"],
    ),
    "owed_by not a party": (
        ("    owed_by: AA\n", "    owed_by: CC\n"),
        ["commitments[0].owed_by", "“CC” is not a participant"],
    ),
    "bad time zone": (
        ("    time_zone: Australia/Sydney\n", "    time_zone: Australia/Capital\n"),
        ["line 10, institutes[1].time_zone", "not a known IANA time zone"],
    ),
    "unknown person": (
        (
            "    owner: owner.aa@example.invalid\n    milestones",
            "    owner: nobody@example.invalid\n    milestones",
        ),
        ["commitments[0].owner", "no person with e-mail “nobody@example.invalid”"],
    ),
    "bad e-mail": (
        ("  - email: owner.aa@example.invalid\n", "  - email: not-an-address\n"),
        ["people[0].email", "valid email"],
    ),
    "target before start": (
        ("    recurrence: yearly\n", "    recurrence: yearly\n    target_on: 2027-01-01\n"),
        ["commitments[1].target_on", "cannot be before the start date"],
    ),
    "unknown field": (
        ("  title: A test memorandum\n", "  title: A test memorandum\n  colour: red\n"),
        ["agreement.colour", "is not a known field"],
    ),
    "unknown clause": (
        ('    clause: "2"\n', '    clause: "9"\n'),
        ["commitments[1].clause", "no clause numbered “9”"],
    ),
    "one participant": (
        ("    - institute: BB\n  signatories", "  signatories"),
        ["agreement.parties", "at least two different participants"],
    ),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_import_agreement_refuses_a_bad_file_whole(tmp_path, case):
    (old, new), expected = BAD_FILES[case]
    assert old in VALID
    message = refused(tmp_path, VALID.replace(old, new, 1))
    assert "nothing was written" in message
    for fragment in expected:
        assert fragment in message


def test_import_agreement_reports_every_problem_at_once(tmp_path):
    text = (
        VALID.replace("    owed_by: AA\n", "    owed_by: CC\n")
        .replace("  signed_on: 2026-05-25", "  signed_on: someday")
        .replace("    time_zone: Europe/London\n", "    time_zone: Mars/Olympus\n")
    )
    message = refused(tmp_path, text)
    assert "(3 problems)" in message
    assert "commitments[0].owed_by" in message
    assert "agreement.signed_on" in message
    assert "institutes[0].time_zone" in message


def test_import_text_refuses_a_repeated_key_with_its_line():
    text = VALID.replace("  title: A test memorandum\n", "  title: A\n  title: B\n")
    with pytest.raises(ImportRefused) as caught:
        import_text(text, actor=IMPORT_AGREEMENT)
    assert str(caught.value.problems[0]).startswith("line 22, agreement.title: appears twice")
    assert not Agreement.objects.exists()


def test_import_text_keeps_existing_people_and_institutes_unchanged():
    Institute.objects.create(
        short_name="AA", name="Alpha Institute", country="GB", time_zone="Europe/London"
    )
    import_text(
        VALID.replace("    name: Owner at Alpha", "    name: Someone else"), actor=IMPORT_AGREEMENT
    )
    import_text(VALID.replace("code: test-mou", "code: test-mou-2"), actor=IMPORT_AGREEMENT)
    assert Institute.objects.filter(short_name="AA").count() == 1
    assert Person.objects.get(email="owner.aa@example.invalid").name == "Someone else"
    assert Agreement.objects.count() == 2
