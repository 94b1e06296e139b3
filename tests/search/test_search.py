"""Search across the register: full-text, grouped by kind, through owners, institutes and
milestones as well as the records' own words."""

import re

import pytest
from django.urls import reverse

from institutes.models import Institute
from tests.factories import (
    PASSWORD,
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    InstituteFactory,
    MilestoneFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client):
    UserFactory(username="officer", roles=["Policy officer"])
    client.login(username="officer", password=PASSWORD)
    return client


def _group(response, kind):
    body = response.content.decode()
    section = body.split(f'data-testid="results-{kind}"')[1].split("</section>")[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))


def _search(client, q, **extra):
    return client.get(reverse("search:results"), {"q": q, **extra})


@pytest.fixture
def register():
    dsit = InstituteFactory(
        name="Department for Science, Innovation and Technology", short_name="DSIT"
    )
    other = InstituteFactory(name="Department of Industry", short_name="DITRDCA", country="AU")
    agreement = AgreementFactory(parties=[dsit, other], title="Online safety MoU")
    clause = ClauseFactory(agreement=agreement, number="3", title="Policy dialogue")
    by_owner = CommitmentFactory(
        clause=clause,
        reference="3-a",
        title="Annual policy dialogue",
        owner=PersonFactory(name="Priya Natarajan", institute=other),
        lead_institute=other,
    )
    by_institute = CommitmentFactory(
        clause=clause, reference="3-b", title="Share regulatory updates", owed_by=dsit,
        lead_institute=dsit, owner=PersonFactory(institute=dsit),
    )  # fmt: skip
    by_milestone = CommitmentFactory(
        clause=ClauseFactory(agreement=agreement, number="4", title="Research"),
        reference="4-a",
        title="Exchange information on emerging risks",
        lead_institute=other,
        owner=PersonFactory(institute=other),
    )
    MilestoneFactory(commitment=by_milestone, title="Second exchange of briefings")
    unrelated = CommitmentFactory(title="Staff secondment programme")
    return {
        "by_owner": by_owner,
        "by_institute": by_institute,
        "by_milestone": by_milestone,
        "unrelated": unrelated,
    }


def test_search_finds_a_commitment_by_its_owners_name(officer_client, register):
    commitments = _group(_search(officer_client, "Natarajan"), "commitments")
    assert "Annual policy dialogue" in commitments
    assert "found by its owner" in commitments
    assert "Staff secondment" not in commitments
    people = _group(_search(officer_client, "Natarajan"), "people")
    assert "Priya Natarajan" in people


def test_search_finds_commitments_by_an_institutes_short_name(officer_client, register):
    response = _search(officer_client, "DSIT")
    commitments = _group(response, "commitments")
    assert "Share regulatory updates" in commitments
    assert "found by its institute" in commitments
    assert "Annual policy dialogue" not in commitments
    assert "Department for Science, Innovation and Technology" in _group(response, "institutes")


def test_search_finds_milestones_and_their_commitment_by_a_word_of_the_title(
    officer_client, register
):
    # "briefings" is found through its stem: "briefing" and "briefings" match alike.
    response = _search(officer_client, "briefing")
    assert "Second exchange of briefings" in _group(response, "milestones")
    commitments = _group(response, "commitments")
    assert "Exchange information on emerging risks" in commitments
    assert "found by its milestones" in commitments
    assert "Policy dialogue" in _group(_search(officer_client, "dialogue"), "clauses")
    assert "Online safety MoU" in _group(_search(officer_client, "online safety"), "agreements")


def test_search_by_reference_and_one_kind_only(officer_client, register):
    response = _search(officer_client, "regulatory", kind="commitments")
    assert response.status_code == 200
    assert 'data-testid="results-milestones"' not in response.content.decode()
    assert "3-b Share regulatory updates" in _group(response, "commitments")


def test_search_rejects_bad_input_by_name_without_an_error_page(officer_client):
    assert officer_client.get(reverse("search:results")).status_code == 200
    empty = _search(officer_client, "  ")
    assert empty.status_code == 400
    assert "Search the register: Enter words to search for." in empty.content.decode()
    long = _search(officer_client, "x" * 201)
    assert long.status_code == 400
    assert "Enter at most 200 characters" in long.content.decode()
    bad_kind = _search(officer_client, "x", kind="everything")
    assert bad_kind.status_code == 400
    assert "Show only: Choose one of the kinds listed." in bad_kind.content.decode()
    # Query syntax a person may type never breaks the page.
    for text in ['"unclosed', "a & b | !c", "-", "or or", "<script>", "3.2-a", "'; drop"]:
        assert _search(officer_client, text).status_code == 200, text


def test_a_common_word_is_counted_up_to_a_cap(officer_client, monkeypatch):
    from search import views

    monkeypatch.setattr(views, "COUNT_CAP", 3)
    commitment = CommitmentFactory(title="Joint briefing")
    for n in range(5):
        MilestoneFactory(commitment=commitment, title=f"Briefing {n}")
    response = _search(officer_client, "briefing")
    assert "(more than 3)" in _group(response, "milestones")
    assert "(1)" in _group(response, "commitments")
    assert "More than 4 results" in response.content.decode()


def test_header_search_box_is_on_every_page(officer_client):
    body = officer_client.get(reverse("mou:commitment-list")).content.decode()
    assert 'action="/search/"' in body
    assert (
        '<label class="govuk-visually-hidden" for="header-search">Search the register</label>'
        in body
    )


@pytest.mark.parametrize("size", [2, 30])
def test_search_query_count_does_not_grow(officer_client, size, django_assert_num_queries):
    dsit = InstituteFactory(name="Department for Science", short_name="DSIT")
    agreement = AgreementFactory(parties=[dsit, InstituteFactory(country="AU")])
    for n in range(size):
        commitment = CommitmentFactory(
            clause=ClauseFactory(agreement=agreement),
            title=f"Briefing programme {n}",
            owner=PersonFactory(institute=dsit, name=f"Sam Briefing {n}"),
        )
        MilestoneFactory(commitment=commitment, title=f"Briefing {n}")
    assert Institute.objects.count() >= 2
    # Three for the session, user and header, two per kind of record (six kinds), and why
    # each commitment shown was found.
    with django_assert_num_queries(16):
        assert _search(officer_client, "briefing DSIT OR briefing").status_code == 200
    # One kind, a page of it: its count and its rows.
    with django_assert_num_queries(5):
        assert _search(officer_client, "briefing", kind="milestones").status_code == 200
