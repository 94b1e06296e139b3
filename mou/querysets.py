from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When

from core.db import local_date
from mou.choices import (
    COMMITMENT_OPEN,
    RAG_DUE_SOON_DAYS,
    RAG_QUIET_DAYS,
    AgreementStatus,
    CommitmentStatus,
    MilestoneStatus,
    Rag,
)


def earliest_local_date(now: datetime) -> date:
    """No time zone is more than a day behind UTC: every person's today is on or after it."""
    return now.astimezone(UTC).date() - timedelta(days=1)


def latest_local_date(now: datetime) -> date:
    """No time zone is more than a day ahead of UTC: every person's today is on or before it."""
    return now.astimezone(UTC).date() + timedelta(days=1)


class PageFirstQuerySet(models.QuerySet):
    """A queryset that, once marked with ``page_first()``, reads a page (a slice) in two
    steps: the page's primary keys with the filter and ordering alone, then the rows with
    their related data and annotations for those keys only. The database then works out
    joins and per-row expressions for one page instead of planning them for every row
    that matches (PostgreSQL does not push a LIMIT below them). Counting, iterating
    (exports) and unsliced reads are unchanged; paginators (the pages' and the API's)
    slice, so they get this without knowing."""

    _page_first = False

    def page_first(self) -> PageFirstQuerySet:
        clone = self._chain()
        clone._page_first = True
        return clone

    def _clone(self) -> PageFirstQuerySet:
        clone = super()._clone()
        clone._page_first = self._page_first
        return clone

    def _fetch_all(self) -> None:
        if (
            self._result_cache is None
            and self._page_first
            and self.query.is_sliced
            and self._iterable_class is models.query.ModelIterable
        ):
            keys = self._chain()
            keys._page_first = False
            ids = list(keys.values_list("pk", flat=True))
            rows = self._chain()
            rows._page_first = False
            rows.query.clear_limits()
            rows.query.clear_ordering(force=True)
            by_pk = {row.pk: row for row in rows.filter(pk__in=ids)} if ids else {}
            self._result_cache = [by_pk[pk] for pk in ids if pk in by_pk]
            self._prefetch_done = True
            return
        super()._fetch_all()


class AgreementQuerySet(models.QuerySet):
    def visible_to(self, user: object) -> AgreementQuerySet:
        """Every signed-in user sees every agreement (releasability will narrow this)."""
        return self

    def in_force(self) -> AgreementQuerySet:
        return self.filter(status=AgreementStatus.IN_FORCE)


class MilestoneQuerySet(PageFirstQuerySet):
    def visible_to(self, user: object) -> MilestoneQuerySet:
        return self

    def open(self) -> MilestoneQuerySet:
        """Milestones still to deliver: open, under a commitment that is itself still open
        (a completed or withdrawn commitment's leftovers are neither late nor due)."""
        return self.filter(status=MilestoneStatus.OPEN, commitment__status__in=COMMITMENT_OPEN)

    def late(self, *, now: datetime) -> MilestoneQuerySet:
        """Open milestones whose due date has ended in their owner's time zone."""
        return (
            self.open()
            # A bound the index on (status, due_on) can use before the per-row zone test.
            .filter(due_on__lte=latest_local_date(now) - timedelta(days=1))
            .alias(owner_today=local_date(now, "owner__time_zone"))
            .filter(due_on__lt=models.F("owner_today"))
        )

    def due_within(self, *, now: datetime, days: int) -> MilestoneQuerySet:
        """Open milestones due from the owner's today to ``days`` days ahead, inclusive."""
        return (
            self.open()
            .filter(
                due_on__gte=earliest_local_date(now),
                due_on__lte=latest_local_date(now) + timedelta(days=days),
            )
            .alias(owner_today=local_date(now, "owner__time_zone"))
            .filter(
                due_on__gte=models.F("owner_today"),
                due_on__lte=models.ExpressionWrapper(
                    models.F("owner_today") + timedelta(days=days),
                    output_field=models.DateField(),
                ),
            )
        )

    def with_lateness(self, *, now: datetime) -> MilestoneQuerySet:
        return self.annotate(
            owner_today=local_date(now, "owner__time_zone"),
            is_late=Case(
                When(
                    Q(
                        status=MilestoneStatus.OPEN,
                        commitment__status__in=COMMITMENT_OPEN,
                        due_on__lt=models.F("owner_today"),
                    ),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=models.BooleanField(),
            ),
        )

    def for_list(self) -> MilestoneQuerySet:
        return self.select_related(
            "owner__institute", "commitment__agreement", "commitment__clause"
        )


class CommitmentQuerySet(PageFirstQuerySet):
    def visible_to(self, user: object) -> CommitmentQuerySet:
        return self

    def open(self) -> CommitmentQuerySet:
        return self.filter(status__in=COMMITMENT_OPEN)

    def for_list(self) -> CommitmentQuerySet:
        return self.select_related(
            "agreement", "clause", "owed_by", "lead_institute", "owner__institute"
        )

    def with_rag(self, *, now: datetime) -> CommitmentQuerySet:
        """Annotate ``rag`` (red/amber/green/grey); see ``RAG_RULE_HELP``.

        A per-row expression over the RAG inputs the database keeps on each commitment
        (``late_from``, ``due_soon_from``, ``last_update_at``): no subquery over milestones,
        so it can be filtered, sorted and counted at the cost of reading the rows. Equal to
        ``with_rag_recomputed`` at every instant (``check_rag_inputs`` and the tests prove it).
        """
        from mou.models import ProgressUpdate

        quiet_since = now - timedelta(days=RAG_QUIET_DAYS)
        # The latest update decides, unless it is after ``now`` (a RAG "as of" a past
        # moment): then look for an update inside the window, as the full rule does.
        recent_update = Q(last_update_at__gte=quiet_since, last_update_at__lte=now) | Q(
            Q(last_update_at__gt=now)
            & Exists(
                ProgressUpdate.objects.filter(
                    commitment=OuterRef("pk"), posted_at__gte=quiet_since, posted_at__lte=now
                )
            )
        )
        has_late_milestone = Case(
            When(Q(status__in=COMMITMENT_OPEN, late_from__lte=now), then=Value(True)),
            default=Value(False),
            output_field=models.BooleanField(),
        )
        return self.alias(has_late_milestone=has_late_milestone).annotate(
            rag=Case(
                When(
                    status__in=[CommitmentStatus.COMPLETED, CommitmentStatus.WITHDRAWN],
                    then=Value(Rag.GREY),
                ),
                When(
                    Q(status=CommitmentStatus.OFF_TRACK) | Q(late_from__lte=now),
                    then=Value(Rag.RED),
                ),
                # Not red, so no open milestone is late: one is due soon exactly when the
                # earliest due-soon instant has passed.
                When(
                    Q(status=CommitmentStatus.AT_RISK)
                    | (Q(due_soon_from__lte=now) & ~recent_update),
                    then=Value(Rag.AMBER),
                ),
                default=Value(Rag.GREEN),
                output_field=models.CharField(),
            ),
        )

    def with_rag_recomputed(self, *, now: datetime) -> CommitmentQuerySet:
        """Annotate ``rag`` from the milestones and updates themselves (the definition the
        kept inputs must agree with); slow at scale, for verification."""
        from mou.models import Milestone, ProgressUpdate

        milestones = Milestone.objects.filter(commitment=OuterRef("pk"))
        late = Exists(milestones.late(now=now))
        due_soon = Exists(milestones.due_within(now=now, days=RAG_DUE_SOON_DAYS))
        recent_update = Exists(
            ProgressUpdate.objects.filter(
                commitment=OuterRef("pk"),
                # Bounded on both sides so a RAG "as of" a past moment ignores later updates.
                posted_at__gte=now - timedelta(days=RAG_QUIET_DAYS),
                posted_at__lte=now,
            )
        )
        # ``has_late_milestone`` is an alias, not a selected column: selecting it as well
        # would make PostgreSQL evaluate the late-milestone subquery twice per row.
        return self.alias(has_late_milestone=late).annotate(
            rag=Case(
                When(
                    status__in=[CommitmentStatus.COMPLETED, CommitmentStatus.WITHDRAWN],
                    then=Value(Rag.GREY),
                ),
                When(
                    Q(status=CommitmentStatus.OFF_TRACK) | Q(has_late_milestone=True),
                    then=Value(Rag.RED),
                ),
                When(
                    Q(status=CommitmentStatus.AT_RISK) | (Q(due_soon) & ~Q(recent_update)),
                    then=Value(Rag.AMBER),
                ),
                default=Value(Rag.GREEN),
                output_field=models.CharField(),
            ),
        )
