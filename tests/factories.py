"""factory_boy factories for every model. Tests build data with these; behaviour under
test goes through the services."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from core.actors import Right, SystemActor
from institutes.models import Institute, Person
from mou.models import Agreement, Clause, Commitment, Milestone, Party, ProgressUpdate

PASSWORD = "a-long-test-password"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            # get_or_create: transactional tests flush the groups the data migration made.
            self.groups.add(*(Group.objects.get_or_create(name=name)[0] for name in extracted))
        if create:
            self.save()


class InstituteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institute
        django_get_or_create = ("short_name",)

    name = factory.Sequence(lambda n: f"Institute {n}")
    short_name = factory.Sequence(lambda n: f"I{n}")
    country = "GB"
    time_zone = "Europe/London"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    institute = factory.SubFactory(InstituteFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    time_zone = factory.LazyAttribute(lambda p: p.institute.time_zone)


class AgreementFactory(factory.django.DjangoModelFactory):
    """An agreement in force between two institutes (pass ``parties=[a, b]`` to choose)."""

    class Meta:
        model = Agreement
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Memorandum {n}")
    code = factory.Sequence(lambda n: f"mou-{n}")
    status = "in_force"
    signed_on = dt.date(2026, 5, 25)

    @factory.post_generation
    def parties(self, create: bool, extracted: list[Institute] | None, **kwargs: object) -> None:
        if not create:
            return
        institutes = extracted or [
            InstituteFactory(country="GB", time_zone="Europe/London"),
            InstituteFactory(country="AU", time_zone="Australia/Sydney"),
        ]
        for institute in institutes:
            Party.objects.create(agreement=self, institute=institute)


class ClauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clause

    agreement = factory.SubFactory(AgreementFactory)
    number = factory.Sequence(lambda n: f"{n + 1}")
    title = factory.Sequence(lambda n: f"Clause {n + 1}")


def _first_party(agreement: Agreement) -> Institute:
    return agreement.parties.order_by("pk").first()


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    clause = factory.SubFactory(ClauseFactory)
    agreement = factory.LazyAttribute(lambda c: c.clause.agreement)
    reference = factory.Sequence(lambda n: f"C-{n}")
    title = factory.Sequence(lambda n: f"Commitment {n}")
    lead_institute = factory.LazyAttribute(lambda c: _first_party(c.agreement))
    owed_by = None
    owner = factory.LazyAttribute(lambda c: PersonFactory(institute=c.lead_institute))
    status = "on_track"


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    commitment = factory.SubFactory(CommitmentFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due_on = dt.date(2027, 3, 31)
    owner = factory.LazyAttribute(lambda m: m.commitment.owner)


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    commitment = factory.SubFactory(CommitmentFactory)
    author = factory.LazyAttribute(lambda u: u.commitment.owner)
    note = "Progress as planned."


# --- Staff exchanges ---------------------------------------------------------------------


def _party(agreement: Agreement, index: int) -> Institute:
    return agreement.parties.order_by("pk")[index]


class SecondmentFactory(factory.django.DjangoModelFactory):
    """A proposed secondment from the agreement's first party to its second."""

    class Meta:
        model = "exchanges.Secondment"
        skip_postgeneration_save = True

    agreement = factory.SubFactory(AgreementFactory)
    home_institute = factory.LazyAttribute(lambda s: _party(s.agreement, 0))
    host_institute = factory.LazyAttribute(lambda s: _party(s.agreement, 1))
    person = factory.LazyAttribute(lambda s: PersonFactory(institute=s.home_institute))
    role = factory.Sequence(lambda n: f"Evaluation project {n}")
    planned_start_on = dt.date(2027, 1, 4)
    planned_end_on = dt.date(2027, 6, 30)
    status = "proposed"

    @factory.post_generation
    def commitments(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.commitments.set(extracted)


class ExchangeQuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "exchanges.ExchangeQuota"

    agreement = factory.SubFactory(AgreementFactory)
    home_country = "GB"
    host_country = "AU"
    planned_exchanges_per_year = 2
    planned_staff_days_per_year = 200


# The tests' own named process, with every right a process can hold: services are tested
# here for their rules, and each permission test names a real user or process instead.
SYSTEM = SystemActor("tests", frozenset(Right))
