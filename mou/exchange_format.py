"""Whole agreements as YAML: export one, import one.

One file holds one agreement with its participants, signatories, clauses, commitments and
milestones, plus the institutes and people it refers to (institutes by short name, people
by e-mail), so that a file exported from one register can be imported into an empty one.

Importing checks the *whole* file first and reports every problem at once, each naming
its place (``commitments[3].owed_by``, with the line) and the rule it breaks; only a file
without problems is written, through the services, in one transaction, so nothing is ever
half-imported. Institutes and people that already exist (same short name, same e-mail)
are used as they are, not changed.

The demo data is kept in this same format (``mou/data/``) and loaded with
``existing="keep"``: records found by their natural keys are left alone and only missing
ones are created, which makes loading it again a no-op.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import yaml
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from core.actors import Actor
from core.errors import DomainError
from institutes.models import Institute, Person
from institutes.services import institute_create, person_create
from mou import services
from mou.choices import AgreementStatus, CommitmentStatus, MilestoneStatus
from mou.models import Agreement, Clause, Commitment, Milestone, Party, Signatory

FORMAT = "accord-agreement/1"

Path = tuple[str | int, ...]


# --- Problems ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}, " if self.line else ""
        return f"{where}{self.path or 'file'}: {self.message}"


class ImportRefused(Exception):
    """The file was not imported; ``problems`` says every reason, with its place."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def format_path(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


# --- Reading YAML with line numbers --------------------------------------------------------


# Limits on what an import file may be (hostile or broken files are refused before they
# can cost memory or crash the import). The size is a setting: IMPORT_MAX_BYTES.
MAX_DEPTH = 50
_UNSAFE_CHARACTERS = re.compile(r"[\x00\ud800-\udfff]")


def max_import_bytes() -> int:
    from django.conf import settings

    return int(getattr(settings, "IMPORT_MAX_BYTES", 5 * 1024 * 1024))


class _Refusal(yaml.MarkedYAMLError):
    """A file this loader will not read, with the place it was found."""


class _Loader(yaml.SafeLoader):
    """YAML's safe loader, keeping dates and numbers as the text written.

    Without this, ``2.10`` would become the float 2.1 and ``03`` the integer 3 (clause
    numbers), and an impossible date such as 2026-02-30 would fail deep inside the parser
    instead of being reported against its field.

    It also refuses anchors and aliases (``&name``/``*name``: an export never writes them,
    and they let a few hundred bytes expand into gigabytes, the "billion laughs") and
    nesting deeper than MAX_DEPTH (which would otherwise exhaust Python's stack).
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refusal(
                None,
                None,
                "anchors and aliases (&name, *name) are not accepted; write each value out",
                event.start_mark,
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refusal(
                    None,
                    None,
                    f"blocks are nested more than {MAX_DEPTH} deep",
                    event.start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:float"}
        and tag != "tag:yaml.org,2002:int"
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _lines(node: yaml.Node, path: Path, out: dict[Path, int], problems: list[Problem]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                problems.append(
                    Problem(
                        format_path((*path, key)),
                        "appears twice in the same block; give it once.",
                        key_node.start_mark.line + 1,
                    )
                )
            seen.add(key)
            _lines(value_node, (*path, key), out, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _lines(item, (*path, index), out, problems)


def _refuse_unsafe_text(text: str) -> None:
    """NUL and lone surrogates (written raw or as YAML escapes) cannot be stored or shown."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_import_bytes():
        raise ImportRefused(
            [
                Problem(
                    "",
                    f"The file is {size:,} bytes; the most accepted is "
                    f"{max_import_bytes():,} (IMPORT_MAX_BYTES).",
                )
            ]
        )
    found = _UNSAFE_CHARACTERS.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        raise ImportRefused([Problem("", _unsafe_message(found.group()), line)])


def _unsafe_message(character: str) -> str:
    if character == "\x00":
        return "contains a NUL character (code 0), which no text field can hold; remove it."
    return (
        f"contains a lone surrogate (U+{ord(character):04X}), which is not a character; "
        "remove it or write the character it was meant to be."
    )


def _refuse_unsafe_values(data: Any, path: Path, lines: dict[Path, int]) -> None:
    """The same characters, written as escapes ("\\0", "\\ud800") inside quoted strings."""
    if isinstance(data, str):
        found = _UNSAFE_CHARACTERS.search(data)
        if found:
            raise ImportRefused(
                [Problem(format_path(path), _unsafe_message(found.group()), lines.get(path))]
            )
    elif isinstance(data, dict):
        for key, value in data.items():
            _refuse_unsafe_values(str(key), path, lines)
            _refuse_unsafe_values(value, (*path, str(key)), lines)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            _refuse_unsafe_values(value, (*path, index), lines)


def parse(text: str) -> tuple[Any, dict[Path, int]]:
    """The document and the line of every value in it; ImportRefused on a syntax error, a
    file too large (IMPORT_MAX_BYTES), anchors or aliases, nesting deeper than MAX_DEPTH,
    NUL characters or lone surrogates."""
    _refuse_unsafe_text(text)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ImportRefused([Problem("", "The file is empty.")])
        lines: dict[Path, int] = {}
        problems: list[Problem] = []
        _lines(node, (), lines, problems)
        if problems:
            raise ImportRefused(problems)
        data = loader.construct_document(node)
    except _Refusal as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        raise ImportRefused([Problem("", f"This file is refused: {exc.problem}.", line)]) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        detail = exc.problem or exc.context or "not valid YAML"
        raise ImportRefused([Problem("", f"This is not valid YAML ({detail}).", line)]) from exc
    except yaml.YAMLError as exc:
        raise ImportRefused([Problem("", f"This is not valid YAML ({exc}).")]) from exc
    finally:
        loader.dispose()
    _refuse_unsafe_values(data, (), lines)
    return data, lines


# --- The shape of a file -------------------------------------------------------------------

Kind = Literal["str", "text", "date", "bool", "int", "list"]


@dataclass(frozen=True)
class Section:
    fields: dict[str, Kind]
    required: frozenset[str] = frozenset()


INSTITUTE = Section(
    {
        "short_name": "str",
        "name": "str",
        "country": "str",
        "parent_department": "str",
        "time_zone": "str",
        "website": "str",
        "notes": "text",
    },
    frozenset({"short_name", "name", "country", "time_zone"}),
)
PERSON = Section(
    {
        "email": "str",
        "name": "str",
        "institute": "str",
        "job_title": "str",
        "time_zone": "str",
        "manager": "str",
        "is_contact": "bool",
        "email_reminders": "bool",
        "is_illustrative": "bool",
    },
    frozenset({"email", "name", "institute"}),
)
AGREEMENT = Section(
    {
        "code": "str",
        "title": "str",
        "kind": "str",
        "summary": "text",
        "status": "str",
        "status_reason": "text",
        "legally_binding": "bool",
        "signed_on": "date",
        "signed_place": "str",
        "effective_on": "date",
        "review_on": "date",
        "expires_on": "date",
        "builds_on": "str",
        "source_url": "str",
        "sources": "text",
        "notes": "text",
        "parties": "list",
        "signatories": "list",
    },
    frozenset({"code", "title", "parties"}),
)
PARTY = Section({"institute": "str", "lead_department": "str"}, frozenset({"institute"}))
SIGNATORY = Section(
    {"name": "str", "office": "str", "party": "str", "notes": "text"},
    frozenset({"name", "office", "party"}),
)
CLAUSE = Section(
    {
        "number": "str",
        "title": "str",
        "text": "text",
        "position": "int",
        "is_illustrative": "bool",
    },
    frozenset({"number", "title"}),
)
COMMITMENT = Section(
    {
        "reference": "str",
        "clause": "str",
        "title": "str",
        "description": "text",
        "owed_by": "str",
        "lead_institute": "str",
        "owner": "str",
        "theme": "str",
        "start_on": "date",
        "target_on": "date",
        "recurrence": "str",
        "recurrence_count": "int",
        "status": "str",
        "status_reason": "text",
        "is_illustrative": "bool",
        "notes": "text",
        "milestones": "list",
    },
    frozenset({"reference", "clause", "title", "lead_institute", "owner"}),
)
MILESTONE = Section(
    {
        "title": "str",
        "due_on": "date",
        "owner": "str",
        "status": "str",
        "done_on": "date",
        "evidence_url": "str",
        "status_reason": "text",
        "sequence": "int",
        "is_illustrative": "bool",
    },
    frozenset({"title", "due_on"}),
)
TOP = Section(
    {
        "format": "str",
        "institutes": "list",
        "people": "list",
        "agreement": "dict",  # type: ignore[dict-item]
        "clauses": "list",
        "commitments": "list",
    },
    frozenset({"format", "agreement"}),
)
JOINT = "joint"  # how a file says that the participants owe a commitment jointly


# --- Checking --------------------------------------------------------------------------------


@dataclass
class _Checker:
    lines: dict[Path, int]
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: Path, message: str) -> None:
        # A missing field has no line of its own: point at the block that lacks it.
        line = None
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                break
        self.problems.append(Problem(format_path(path), message, line))

    def record(self, raw: Any, path: Path, section: Section) -> dict[str, Any]:
        """Check one block against its section: known fields, required fields, types."""
        if not isinstance(raw, dict):
            self.add(path, "must be a block of “field: value” lines.")
            return {}
        clean: dict[str, Any] = {}
        invalid: set[str] = set()
        for key, value in raw.items():
            key = str(key)
            kind = section.fields.get(key)
            if kind is None:
                known = ", ".join(section.fields)
                self.add((*path, key), f"is not a known field here (known fields: {known}).")
                continue
            converted = self._convert(value, (*path, key), kind)
            if converted is _INVALID:
                invalid.add(key)
            else:
                clean[key] = converted
        for key in sorted(section.required - invalid):
            if clean.get(key) in (None, "", []):
                self.add((*path, key), "is required.")
        return clean

    def _convert(self, value: Any, path: Path, kind: str) -> Any:
        if value is None:
            return None
        if kind in {"str", "text"}:
            if isinstance(value, dict | list):
                self.add(path, "must be a single value, not a list or block.")
                return _INVALID
            if isinstance(value, bool):
                return "true" if value else "false"
            return str(value).strip() if kind == "str" else str(value).rstrip()
        if kind == "date":
            text = str(value).strip()
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                self.add(path, f"“{text}” is not a date; write it as YYYY-MM-DD, e.g. 2026-05-25.")
                return _INVALID
            try:
                return date.fromisoformat(text)
            except ValueError:
                self.add(path, f"“{text}” is not a real date.")
                return _INVALID
        if kind == "bool":
            if isinstance(value, bool):
                return value
            self.add(path, "must be true or false.")
            return _INVALID
        if kind == "int":
            text = str(value).strip()
            if isinstance(value, bool) or not re.fullmatch(r"\d+", text):
                self.add(path, "must be a whole number.")
                return _INVALID
            return int(text)
        if kind == "list":
            if not isinstance(value, list):
                self.add(path, "must be a list (lines starting with “- ”).")
                return _INVALID
            return value
        if kind == "dict":
            return value
        raise AssertionError(kind)

    def model_fields(
        self, model: type[models.Model], values: dict[str, Any], path: Path, names: Iterable[str]
    ) -> None:
        """The model's own field rules (length, choices, URL, e-mail, time zone…)."""
        names = [n for n in names if n in values and values[n] is not None]
        instance = model(**{n: values[n] for n in names})
        exclude = [f.name for f in model._meta.fields if f.name not in names]
        try:
            instance.clean_fields(exclude=exclude)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                self.add((*path, name), " ".join(messages))


_INVALID = object()


def _items(checker: _Checker, data: dict[str, Any], key: str) -> Iterator[tuple[int, Any]]:
    value = data.get(key)
    if value is None:
        return
    if not isinstance(value, list):
        checker.add((key,), "must be a list (lines starting with “- ”).")
        return
    yield from enumerate(value)


@dataclass
class Plan:
    """A checked file, ready to write."""

    institutes: list[dict[str, Any]]
    people: list[dict[str, Any]]
    agreement: dict[str, Any]
    parties: list[dict[str, Any]]
    signatories: list[dict[str, Any]]
    clauses: list[dict[str, Any]]
    commitments: list[dict[str, Any]]


def check(
    data: Any,
    lines: dict[Path, int],
    *,
    existing: Literal["refuse", "keep"] = "refuse",
    today: date | None = None,
) -> Plan:
    """Every rule a file must meet, checked before anything is written."""
    today = today or timezone.localdate()
    c = _Checker(lines)
    top = c.record(data, (), TOP)
    if not top and not isinstance(data, dict):
        raise ImportRefused(c.problems)
    if "format" in top and top["format"] != FORMAT:
        c.add(("format",), f"must be “{FORMAT}”.")

    # Institutes: those in the file, and those already in the register.
    institutes: list[dict[str, Any]] = []
    file_institutes: dict[str, dict[str, Any]] = {}
    for i, raw in _items(c, top, "institutes"):
        path: Path = ("institutes", i)
        rec = c.record(raw, path, INSTITUTE)
        c.model_fields(Institute, rec, path, INSTITUTE.fields)
        key = rec.get("short_name")
        if key:
            if key in file_institutes:
                c.add((*path, "short_name"), f"“{key}” is given twice; give each institute once.")
            file_institutes[key] = rec
        if rec.get("country") and not re.fullmatch(r"[A-Z]{2}", rec["country"]):
            c.add((*path, "country"), "must be a two-letter ISO code such as GB or AU.")
        institutes.append(rec)

    people: list[dict[str, Any]] = []
    file_people: dict[str, dict[str, Any]] = {}
    for i, raw in _items(c, top, "people"):
        path = ("people", i)
        rec = c.record(raw, path, PERSON)
        c.model_fields(Person, rec, path, ["email", "name", "job_title", "time_zone"])
        email = (rec.get("email") or "").lower()
        if email:
            if email in file_people:
                c.add((*path, "email"), f"“{email}” is given twice; give each person once.")
            file_people[email] = rec
        rec["_path"] = path
        people.append(rec)

    agreement_raw = top.get("agreement")
    agreement = c.record(agreement_raw, ("agreement",), AGREEMENT) if agreement_raw else {}
    clauses = [
        (("clauses", i), c.record(raw, ("clauses", i), CLAUSE))
        for i, raw in _items(c, top, "clauses")
    ]
    commitments = [
        (("commitments", i), c.record(raw, ("commitments", i), COMMITMENT))
        for i, raw in _items(c, top, "commitments")
    ]

    # Look up, in two queries, everything the file names that is not defined in it.
    named_institutes = {
        value
        for rec in [
            *people,
            *(p for p in agreement.get("parties") or [] if isinstance(p, dict)),
        ]
        if isinstance(value := rec.get("institute"), str)
    }
    named_people = {
        str(value).lower()
        for rec in [*people, *(r for _, r in commitments)]
        for key in ("manager", "owner")
        if (value := rec.get(key))
    } | {
        str(m.get("owner")).lower()
        for _, rec in commitments
        for m in rec.get("milestones") or []
        if isinstance(m, dict) and m.get("owner")
    }
    db_institutes = set(
        Institute.objects.filter(short_name__in=named_institutes).values_list(
            "short_name", flat=True
        )
    )
    db_people = dict(
        Person.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=named_people - set(file_people))
        .values_list("email_lower", "institute__short_name")
    )

    def institute_known(short_name: str) -> bool:
        return short_name in file_institutes or short_name in db_institutes

    def person_institute(email: str) -> str | None:
        email = email.lower()
        if email in file_people:
            return file_people[email].get("institute")
        return db_people.get(email)

    for rec in people:
        path = rec["_path"]
        inst = rec.get("institute")
        if inst and not institute_known(inst):
            c.add(
                (*path, "institute"),
                f"no institute with short name “{inst}” in this file or in the register.",
            )
        manager = rec.get("manager")
        if manager:
            if manager.lower() == (rec.get("email") or "").lower():
                c.add((*path, "manager"), "a person cannot be their own manager.")
            elif person_institute(manager) is None:
                c.add((*path, "manager"), f"no person with e-mail “{manager}”.")
    _check_manager_cycles(c, people, file_people)

    # The agreement itself.
    a_path: Path = ("agreement",)
    if agreement_raw is not None and not agreement:
        pass  # already reported as not a block
    code = agreement.get("code")
    c.model_fields(
        Agreement,
        agreement,
        a_path,
        [
            "code", "title", "kind", "summary", "status", "status_reason", "legally_binding",
            "signed_place", "source_url", "sources", "notes",
        ],
    )  # fmt: skip
    if code and existing == "refuse" and Agreement.objects.filter(code=code).exists():
        c.add(
            (*a_path, "code"),
            f"an agreement with code “{code}” already exists; importing never changes an "
            "existing agreement (export it, delete it, or import under another code).",
        )
    status = agreement.get("status") or AgreementStatus.DRAFT
    if status == AgreementStatus.TERMINATED and not agreement.get("status_reason"):
        c.add((*a_path, "status_reason"), "is required for a terminated agreement.")
    signed, effective = agreement.get("signed_on"), agreement.get("effective_on")
    review, expires = agreement.get("review_on"), agreement.get("expires_on")
    if signed and effective and effective < signed:
        c.add((*a_path, "effective_on"), "cannot be before the signing date (signed_on).")
    if effective and expires and expires <= effective:
        c.add((*a_path, "expires_on"), "must be after the effective date (effective_on).")
    if signed and review and review <= signed:
        c.add((*a_path, "review_on"), "must be after the signing date (signed_on).")
    builds_on = agreement.get("builds_on")
    if builds_on:
        if builds_on == code:
            c.add((*a_path, "builds_on"), "an agreement cannot build on itself.")
        elif not Agreement.objects.filter(code=builds_on).exists():
            c.add(
                (*a_path, "builds_on"),
                f"no agreement with code “{builds_on}” in the register; import it first.",
            )

    parties: list[dict[str, Any]] = []
    party_names: set[str] = set()
    for i, raw in enumerate(agreement.get("parties") or []):
        path = (*a_path, "parties", i)
        rec = c.record(raw, path, PARTY)
        inst = rec.get("institute")
        if inst:
            if not institute_known(inst):
                c.add(
                    (*path, "institute"),
                    f"no institute with short name “{inst}” in this file or in the register.",
                )
            if inst in party_names:
                c.add((*path, "institute"), f"“{inst}” is already a participant.")
            party_names.add(inst)
        parties.append(rec)
    if agreement and "parties" in agreement and len(party_names) < 2:
        c.add((*a_path, "parties"), "an agreement needs at least two different participants.")

    signatories: list[dict[str, Any]] = []
    for i, raw in enumerate(agreement.get("signatories") or []):
        path = (*a_path, "signatories", i)
        rec = c.record(raw, path, SIGNATORY)
        c.model_fields(Signatory, rec, path, ["name", "office", "notes"])
        if rec.get("party") and rec["party"] not in party_names:
            c.add((*path, "party"), f"“{rec['party']}” is not a participant in this agreement.")
        signatories.append(rec)

    clause_numbers: set[str] = set()
    for path, rec in clauses:
        c.model_fields(Clause, rec, path, CLAUSE.fields)
        number = rec.get("number")
        if number:
            if number in clause_numbers:
                c.add((*path, "number"), f"clause “{number}” is given twice; numbers are unique.")
            clause_numbers.add(number)

    references: set[str] = set()
    for path, rec in commitments:
        c.model_fields(
            Commitment,
            rec,
            path,
            [
                "reference", "title", "description", "theme", "recurrence", "status",
                "status_reason", "notes", "recurrence_count",
            ],
        )  # fmt: skip
        ref = rec.get("reference")
        if ref:
            if ref in references:
                c.add((*path, "reference"), f"“{ref}” is given twice; references are unique.")
            references.add(ref)
        if rec.get("clause") and rec["clause"] not in clause_numbers:
            c.add((*path, "clause"), f"no clause numbered “{rec['clause']}” in this file.")
        owed_by = rec.get("owed_by")
        if owed_by and owed_by != JOINT and owed_by not in party_names:
            c.add(
                (*path, "owed_by"),
                f"“{owed_by}” is not a participant in this agreement; the institute that owes "
                f"a commitment must be one (or write “{JOINT}”).",
            )
        lead = rec.get("lead_institute")
        if lead and lead not in party_names:
            c.add(
                (*path, "lead_institute"),
                f"“{lead}” is not a participant in this agreement; the lead must be one.",
            )
        owner = rec.get("owner")
        if owner:
            owner_institute = person_institute(owner)
            if owner_institute is None:
                c.add((*path, "owner"), f"no person with e-mail “{owner}”.")
            elif owner_institute not in party_names:
                c.add(
                    (*path, "owner"),
                    f"“{owner}” works at {owner_institute}, which is not a participant; the "
                    "owner must work at one.",
                )
        start, target = rec.get("start_on"), rec.get("target_on")
        if start and target and target < start:
            c.add((*path, "target_on"), "cannot be before the start date (start_on).")
        recurrence = rec.get("recurrence") or ""
        if rec.get("recurrence_count") is not None:
            if not recurrence:
                c.add((*path, "recurrence_count"), "a count of occurrences needs a recurrence.")
            elif rec["recurrence_count"] < 1:
                c.add((*path, "recurrence_count"), "must be at least 1.")
        if rec.get("status") == CommitmentStatus.WITHDRAWN and not rec.get("status_reason"):
            c.add((*path, "status_reason"), "is required for a withdrawn commitment.")
        rec["milestones"] = _check_milestones(c, rec, path, person_institute, today)

    if c.problems:
        raise ImportRefused(c.problems)
    return Plan(
        institutes=institutes,
        people=people,
        agreement=agreement,
        parties=parties,
        signatories=signatories,
        clauses=[rec for _, rec in clauses],
        commitments=[rec for _, rec in commitments],
    )


def _check_milestones(
    c: _Checker,
    commitment: dict[str, Any],
    path: Path,
    person_institute: Any,
    today: date,
) -> list[dict[str, Any]]:
    milestones = []
    sequences: set[int] = set()
    titles: set[str] = set()
    for i, raw in enumerate(commitment.get("milestones") or []):
        m_path = (*path, "milestones", i)
        rec = c.record(raw, m_path, MILESTONE)
        c.model_fields(Milestone, rec, m_path, ["title", "status", "evidence_url", "status_reason"])
        if rec.get("owner") and person_institute(rec["owner"]) is None:
            c.add((*m_path, "owner"), f"no person with e-mail “{rec['owner']}”.")
        status = rec.get("status") or MilestoneStatus.OPEN
        if status == MilestoneStatus.DONE and not rec.get("done_on"):
            c.add((*m_path, "done_on"), "is required for a done milestone.")
        if status != MilestoneStatus.DONE and rec.get("done_on"):
            c.add((*m_path, "done_on"), "only a done milestone has a done date.")
        if rec.get("done_on") and rec["done_on"] > today:
            c.add((*m_path, "done_on"), "cannot be in the future.")
        if status == MilestoneStatus.CANCELLED and not rec.get("status_reason"):
            c.add((*m_path, "status_reason"), "is required for a cancelled milestone.")
        sequence = rec.get("sequence")
        if sequence is not None:
            if not commitment.get("recurrence"):
                c.add((*m_path, "sequence"), "only a recurring commitment's milestones have one.")
            elif sequence < 1 or sequence in sequences:
                c.add((*m_path, "sequence"), "must be 1 or more and unique in the commitment.")
            sequences.add(sequence)
        elif rec.get("title"):
            if rec["title"] in titles:
                c.add((*m_path, "title"), "is given twice in this commitment.")
            titles.add(rec["title"])
        milestones.append(rec)
    return milestones


def _check_manager_cycles(
    c: _Checker, people: list[dict[str, Any]], file_people: dict[str, dict[str, Any]]
) -> None:
    for rec in people:
        seen = {(rec.get("email") or "").lower()}
        manager = (rec.get("manager") or "").lower()
        while manager in file_people:
            if manager in seen:
                c.add((*rec["_path"], "manager"), "managers form a loop.")
                break
            seen.add(manager)
            manager = (file_people[manager].get("manager") or "").lower()


# --- Writing ---------------------------------------------------------------------------------


@dataclass
class ImportResult:
    agreement: Agreement
    created: dict[str, int]


def import_text(
    text: str,
    *,
    actor: Actor,
    existing: Literal["refuse", "keep"] = "refuse",
    prepare: Any = None,
) -> ImportResult:
    """Check a whole file, then write it in one transaction; ImportRefused if anything is
    wrong, in which case nothing was written.

    ``prepare``, when given, turns the parsed document into the one to check (the demo uses
    it to place its illustrative dates relative to today).
    """
    data, lines = parse(text)
    if prepare is not None:
        data = prepare(data)
    plan = check(data, lines, existing=existing)
    try:
        return _write(plan, actor=actor)
    except DomainError as exc:
        # A rule only the database can see (e.g. a concurrent import of the same code).
        raise ImportRefused(
            [Problem(path, message) for path, message in exc.errors.items()]
        ) from exc


@contextlib.contextmanager
def _at(path: Path) -> Iterator[None]:
    """Name the file's place in a rule that only a service caught while writing."""
    try:
        yield
    except DomainError as exc:
        raise ImportRefused(
            [
                Problem(format_path(path if name == "__all__" else (*path, name)), message)
                for name, message in exc.errors.items()
            ]
        ) from exc


def _fields(rec: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    return {n: rec[n] for n in names if rec.get(n) is not None}


@transaction.atomic
def _write(plan: Plan, *, actor: Actor) -> ImportResult:
    created = dict.fromkeys(
        ["institutes", "people", "agreements", "clauses", "commitments", "milestones"], 0
    )
    institutes = _write_institutes(plan, actor, created)
    people = _write_people(plan, actor, created)
    agreement = Agreement.objects.filter(code=plan.agreement["code"]).first()
    if agreement is None:
        fields = _fields(
            plan.agreement,
            [
                "kind", "summary", "status_reason", "legally_binding", "signed_on",
                "signed_place", "effective_on", "review_on", "expires_on", "source_url",
                "sources", "notes",
            ],
        )  # fmt: skip
        if plan.agreement.get("builds_on"):
            fields["builds_on"] = Agreement.objects.get(code=plan.agreement["builds_on"])
        with _at(("agreement",)):
            agreement = services.agreement_create(
                actor=actor,
                title=plan.agreement["title"],
                code=plan.agreement["code"],
                parties=[institutes[p["institute"]] for p in plan.parties],
                status=plan.agreement.get("status") or AgreementStatus.DRAFT,
                **fields,
            )
        created["agreements"] += 1
        for index, p in enumerate(plan.parties):
            if p.get("lead_department"):
                with _at(("parties", index)):
                    services.party_update(
                        party=Party.objects.get(
                            agreement=agreement, institute__short_name=p["institute"]
                        ),
                        actor=actor,
                        lead_department=p["lead_department"],
                    )
    parties = {
        p.institute.short_name: p
        for p in Party.objects.filter(agreement=agreement).select_related("institute")
    }
    present = set(Signatory.objects.filter(agreement=agreement).values_list("name", "party_id"))
    for index, s in enumerate(plan.signatories):
        party = parties[s["party"]]
        if (s["name"], party.pk) not in present:
            with _at(("agreement", "signatories", index)):
                services.signatory_add(
                    agreement=agreement,
                    party=party,
                    name=s["name"],
                    office=s["office"],
                    notes=s.get("notes") or "",
                    actor=actor,
                )

    clauses = {c.number: c for c in Clause.objects.filter(agreement=agreement)}
    for position, rec in enumerate(plan.clauses, start=1):
        if rec["number"] in clauses:
            continue
        with _at(("clauses", position - 1)):
            clauses[rec["number"]] = services.clause_create(
                agreement=agreement,
                number=rec["number"],
                title=rec["title"],
                actor=actor,
                text=rec.get("text") or "",
                position=rec.get("position") if rec.get("position") is not None else position,
                is_illustrative=bool(rec.get("is_illustrative")),
            )
        created["clauses"] += 1

    commitments = {c.reference: c for c in Commitment.objects.filter(agreement=agreement)}
    before = Milestone.objects.filter(commitment__agreement=agreement).count()
    for index, rec in enumerate(plan.commitments):
        commitment = commitments.get(rec["reference"])
        if commitment is None:
            owed_by = rec.get("owed_by")
            with _at(("commitments", index)):
                commitment = services.commitment_create(
                    actor=actor,
                    agreement=agreement,
                    clause=clauses[rec["clause"]],
                    reference=rec["reference"],
                    title=rec["title"],
                    owner=people[rec["owner"].lower()],
                    lead_institute=institutes[rec["lead_institute"]],
                    owed_by=institutes[owed_by] if owed_by and owed_by != JOINT else None,
                    **_fields(
                        rec,
                        [
                            "description",
                            "theme",
                            "start_on",
                            "target_on",
                            "recurrence",
                            "recurrence_count",
                            "status",
                            "status_reason",
                            "is_illustrative",
                            "notes",
                        ],
                    ),  # fmt: skip
                )
            created["commitments"] += 1
        with _at(("commitments", index, "milestones")):
            _write_milestones(commitment, rec["milestones"], people, actor)
    # Counted afterwards: a recurring commitment schedules occurrences by itself.
    created["milestones"] = (
        Milestone.objects.filter(commitment__agreement=agreement).count() - before
    )
    return ImportResult(agreement=agreement, created=created)


def _write_institutes(plan: Plan, actor: Actor, created: dict[str, int]) -> dict[str, Institute]:
    names = {rec["short_name"] for rec in plan.institutes} | {p["institute"] for p in plan.parties}
    names |= {rec["institute"] for rec in plan.people}
    found = {i.short_name: i for i in Institute.objects.filter(short_name__in=names)}
    for index, rec in enumerate(plan.institutes):
        if rec["short_name"] in found:
            continue
        with _at(("institutes", index)):
            institute = institute_create(actor=actor, **_fields(rec, INSTITUTE.fields))
        found[institute.short_name] = institute
        created["institutes"] += 1
    return found


def _write_people(plan: Plan, actor: Actor, created: dict[str, int]) -> dict[str, Person]:
    emails = {rec["email"].lower() for rec in plan.people}
    emails |= {rec["owner"].lower() for rec in plan.commitments}
    emails |= {
        m["owner"].lower() for rec in plan.commitments for m in rec["milestones"] if m.get("owner")
    }
    emails |= {rec["manager"].lower() for rec in plan.people if rec.get("manager")}
    found = {
        p.email.lower(): p
        for p in Person.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
    }
    pending = [rec for rec in plan.people if rec["email"].lower() not in found]
    # Managers first, so each person is saved once, complete.
    while pending:
        ready = [
            rec for rec in pending if not rec.get("manager") or rec["manager"].lower() in found
        ]
        for rec in ready:
            with _at(rec["_path"]):
                person = person_create(
                    actor=actor,
                    institute=Institute.objects.get(short_name=rec["institute"]),
                    name=rec["name"],
                    email=rec["email"],
                    time_zone=rec.get("time_zone") or "",
                    manager=found.get((rec.get("manager") or "").lower()),
                    **_fields(
                        rec, ["job_title", "is_contact", "email_reminders", "is_illustrative"]
                    ),
                )
            found[person.email.lower()] = person
            created["people"] += 1
        pending = [rec for rec in pending if rec not in ready]
    return found


def _write_milestones(
    commitment: Commitment,
    milestones: list[dict[str, Any]],
    people: dict[str, Person],
    actor: Actor,
) -> None:
    """Create the missing milestones; in a recurring series, match occurrences by number.

    Creating a recurring commitment schedules its next occurrence by itself (and completing
    one schedules the one after), so an occurrence the file gives may already exist: it is
    then brought into line with the file rather than added twice.
    """
    existing = list(Milestone.objects.filter(commitment=commitment))
    by_title = {m.title: m for m in existing if m.sequence is None}
    by_sequence = {m.sequence: m for m in existing if m.sequence is not None}
    for rec in sorted(
        milestones, key=lambda m: (m.get("sequence") is None, m.get("sequence") or 0)
    ):
        owner = people[rec["owner"].lower()] if rec.get("owner") else commitment.owner
        sequence = rec.get("sequence")
        status = rec.get("status") or MilestoneStatus.OPEN
        if sequence is None and rec["title"] in by_title:
            continue
        milestone = by_sequence.get(sequence) if sequence is not None else None
        if milestone is None:
            milestone = services.milestone_add(
                commitment=commitment,
                actor=actor,
                title=rec["title"],
                due_on=rec["due_on"],
                owner=owner,
                sequence=sequence,
                evidence_url=rec.get("evidence_url") or "",
                is_illustrative=bool(rec.get("is_illustrative")),
            )
        elif milestone.status == MilestoneStatus.OPEN:
            changes = {
                name: value
                for name, value in {
                    "title": rec["title"],
                    "owner": owner,
                    "evidence_url": rec.get("evidence_url") or "",
                    "is_illustrative": bool(rec.get("is_illustrative")),
                }.items()
                if getattr(milestone, name) != value
            }
            if changes:
                milestone = services.milestone_update(
                    milestone=milestone, actor=actor, changes=changes, expected_version=None
                )
            if milestone.due_on != rec["due_on"]:
                milestone = services.milestone_reschedule(
                    milestone=milestone, due_on=rec["due_on"], actor=actor
                )
        else:
            continue  # already done or cancelled here: the register's record stands
        if milestone.status == MilestoneStatus.OPEN and status == MilestoneStatus.DONE:
            services.milestone_complete(
                milestone=milestone,
                actor=actor,
                done_on=rec["done_on"],
                evidence_url=rec.get("evidence_url") or "",
            )
            # Completing an occurrence schedules the next one: pick it up for matching.
            by_sequence.update(
                {
                    m.sequence: m
                    for m in Milestone.objects.filter(commitment=commitment, sequence__isnull=False)
                }
            )
        elif milestone.status == MilestoneStatus.OPEN and status == MilestoneStatus.CANCELLED:
            services.milestone_cancel(
                milestone=milestone, actor=actor, reason=rec.get("status_reason") or ""
            )


# --- Exporting -------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Readable YAML: several-line text as a literal block, lists indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


def _compact(values: dict[str, Any], *, keep: Iterable[str] = ()) -> dict[str, Any]:
    """Leave out empty values (the import's defaults) except those named in ``keep``."""
    keep = set(keep)
    return {k: v for k, v in values.items() if k in keep or v not in (None, "", [])}


def export_agreement(code: str) -> str:
    """The agreement with this code as a file that ``import_text`` reads back unchanged.

    DoesNotExist when there is no such agreement.
    """
    agreement = Agreement.objects.select_related("builds_on").get(code=code)
    parties = list(
        Party.objects.filter(agreement=agreement).select_related("institute").order_by("pk")
    )
    signatories = list(
        Signatory.objects.filter(agreement=agreement)
        .select_related("party__institute")
        .order_by("pk")
    )
    clauses = list(Clause.objects.filter(agreement=agreement).order_by("position", "number"))
    commitments = list(
        Commitment.objects.filter(agreement=agreement)
        .select_related("clause", "owed_by", "lead_institute", "owner")
        .prefetch_related(
            models.Prefetch(
                "milestones",
                queryset=Milestone.objects.select_related("owner").order_by(
                    "sequence", "due_on", "pk"
                ),
            )
        )
        .order_by("clause__position", "clause__number", "reference")
    )

    people_ids = {c.owner_id for c in commitments} | {
        m.owner_id for c in commitments for m in c.milestones.all()
    }
    # The participants' points of contact travel with the agreement too.
    people_ids |= set(
        Person.objects.filter(
            institute__in=[p.institute_id for p in parties], is_contact=True
        ).values_list("pk", flat=True)
    )
    people: dict[int, Person] = {}
    while people_ids - set(people):  # owners, and their managers up the line
        batch = Person.objects.select_related("institute", "manager").filter(
            pk__in=people_ids - set(people)
        )
        for person in batch:
            people[person.pk] = person
            if person.manager_id:
                people_ids.add(person.manager_id)
    institutes = {p.institute.pk: p.institute for p in parties}
    institutes |= {p.institute.pk: p.institute for p in people.values()}

    document = {
        "format": FORMAT,
        "institutes": [
            _compact(
                {
                    "short_name": i.short_name,
                    "name": i.name,
                    "country": i.country,
                    "parent_department": i.parent_department,
                    "time_zone": i.time_zone,
                    "website": i.website,
                    "notes": i.notes,
                }
            )
            for i in sorted(institutes.values(), key=lambda i: i.short_name)
        ],
        "people": [
            _compact(
                {
                    "email": p.email,
                    "name": p.name,
                    "institute": p.institute.short_name,
                    "job_title": p.job_title,
                    "time_zone": p.time_zone,
                    "manager": p.manager.email if p.manager else None,
                    "is_contact": p.is_contact,
                    "email_reminders": p.email_reminders,
                    "is_illustrative": p.is_illustrative,
                }
            )
            for p in sorted(people.values(), key=lambda p: p.email.lower())
        ],
        "agreement": _compact(
            {
                "code": agreement.code,
                "title": agreement.title,
                "kind": agreement.kind,
                "status": agreement.status,
                "status_reason": agreement.status_reason,
                "legally_binding": agreement.legally_binding,
                "signed_on": agreement.signed_on,
                "signed_place": agreement.signed_place,
                "effective_on": agreement.effective_on,
                "review_on": agreement.review_on,
                "expires_on": agreement.expires_on,
                "builds_on": agreement.builds_on.code if agreement.builds_on else None,
                "source_url": agreement.source_url,
                "summary": agreement.summary,
                "sources": agreement.sources,
                "notes": agreement.notes,
                "parties": [
                    _compact(
                        {
                            "institute": p.institute.short_name,
                            "lead_department": p.lead_department,
                        }
                    )
                    for p in parties
                ],
                "signatories": [
                    _compact(
                        {
                            "name": s.name,
                            "office": s.office,
                            "party": s.party.institute.short_name,
                            "notes": s.notes,
                        }
                    )
                    for s in signatories
                ],
            }
        ),
        "clauses": [
            _compact(
                {
                    "number": c.number,
                    "title": c.title,
                    "position": c.position,
                    "is_illustrative": c.is_illustrative,
                    "text": c.text,
                }
            )
            for c in clauses
        ],
        "commitments": [_export_commitment(c) for c in commitments],
    }
    return yaml.dump(
        _plain(document),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=96,
        default_flow_style=False,
    )


def _export_commitment(c: Commitment) -> dict[str, Any]:
    return _compact(
        {
            "reference": c.reference,
            "clause": c.clause.number,
            "title": c.title,
            "owed_by": c.owed_by.short_name if c.owed_by else JOINT,
            "lead_institute": c.lead_institute.short_name,
            "owner": c.owner.email,
            "theme": c.theme,
            "start_on": c.start_on,
            "target_on": c.target_on,
            "recurrence": c.recurrence,
            "recurrence_count": c.recurrence_count,
            "status": c.status,
            "status_reason": c.status_reason,
            "is_illustrative": c.is_illustrative,
            "description": c.description,
            "notes": c.notes,
            "milestones": [
                _compact(
                    {
                        "title": m.title,
                        "due_on": m.due_on,
                        "owner": m.owner.email if m.owner_id != c.owner_id else None,
                        "status": m.status,
                        "done_on": m.done_on,
                        "evidence_url": m.evidence_url,
                        "status_reason": m.status_reason,
                        "sequence": m.sequence,
                        "is_illustrative": m.is_illustrative,
                    }
                )
                for m in c.milestones.all()
            ],
        }
    )


def _plain(value: Any) -> Any:
    """Dates as YYYY-MM-DD text (read back as text, then checked), everything else as is."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return _IsoDate(value.isoformat())
    return value


class _IsoDate(str):
    """A date written without quotes, as people write dates in YAML."""


_Dumper.add_representer(
    _IsoDate, lambda d, v: d.represent_scalar("tag:yaml.org,2002:timestamp", str(v))
)
