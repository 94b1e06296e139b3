"""Who may read and write what: one row per named URL, kept as data.

tests/security/test_access_matrix.py walks the URL configuration and fails when a named URL
has no row here, then checks every row for every role, on the user's own side and on the
other side, for reading (GET) and writing (POST).

A rule names who is allowed; everyone else must be refused (403, 401, 405, or the sign-in
page for an anonymous visitor). Rules:

- ``public``: anyone, signed in or not
- ``everyone``: every signed-in role
- ``administrators``: the Administrator role and superusers
- ``superusers``: superusers only
- ``owner``: administrators, and a commitment owner on their own side (their commitment)
- ``owner_or_officer``: ``owner``, and policy officers (either side)
- ``coordinator``: administrators, and an exchange coordinator for a secondment of their
  own institute
- ``any_coordinator``: administrators and every exchange coordinator
- ``any_officer``: administrators and every policy officer
- ``author``: administrators, and a policy officer of one of the agreement's participants
- ``recipient``: only the person the record is addressed to (own side)
- ``none``: nobody (the address does not take this method: 403, 405)
- ``readonly``: a page that only reads; a POST to it may be answered, but writes nothing
  (no history event is recorded)
- ``skip``: not checked here, with the reason beside the row

A write is sent with the smallest valid body (``data``), so that a refusal cannot hide
behind a form error.
"""

from __future__ import annotations

from typing import NamedTuple


class Row(NamedTuple):
    target: str | None  # which record fills the URL: commitment, milestone, secondment, …
    read: str  # who may GET
    write: str  # who may POST
    kwargs: dict[str, str] = {}  # fixed URL arguments (e.g. an action's name)
    data: dict[str, str] = {}  # the body of the POST


PAGES: dict[str, Row] = {
    "home": Row(None, "everyone", "readonly"),
    "healthz": Row(None, "public", "readonly"),
    "login": Row(None, "public", "public"),
    # Signing out lands on the sign-in page, which the matrix reads as a refusal; it is
    # tested in tests/security/test_signin.py.
    "logout": Row(None, "none", "skip"),
    "account": Row(None, "everyone", "everyone"),
    "password_change": Row(None, "everyone", "everyone"),
    "mou:agreement-list": Row(None, "everyone", "readonly"),
    "mou:agreement-detail": Row("agreement", "everyone", "readonly"),
    "mou:agreement-history": Row("agreement", "everyone", "readonly"),
    "mou:commitment-list": Row(None, "everyone", "readonly"),
    "mou:commitment-detail": Row("commitment", "everyone", "readonly"),
    # Owners edit their own commitment; policy officers of a participant may change who owes
    # and leads it (issue 8's rights table; the fields each may change are tested there).
    "mou:commitment-edit": Row("commitment", "owner_or_officer", "owner_or_officer"),
    "mou:commitment-transition": Row(
        "commitment", "none", "owner", data={"to": "at_risk", "reason": "matrix"}
    ),
    "mou:progress-update-create": Row(
        "commitment", "none", "owner_or_officer", data={"note": "matrix"}
    ),
    "mou:commitment-history": Row("commitment", "everyone", "readonly"),
    # Authoring (AUTHORING_RIGHTS in mou/choices.py); a POST with an empty form is
    # answered with its errors when allowed, refused otherwise.
    "mou:agreement-create": Row(None, "any_officer", "any_officer"),
    "mou:agreement-edit": Row("agreement", "author", "author"),
    "mou:signatory-create": Row("agreement", "author", "author"),
    "mou:clause-create": Row("agreement", "author", "author"),
    "mou:clause-edit": Row("agreement_clause", "author", "author"),
    "mou:commitment-create": Row("agreement", "author", "author"),
    "mou:commitment-withdraw": Row("commitment", "none", "owner", data={"reason": "matrix"}),
    "mou:milestone-create": Row(
        "commitment", "none", "owner_or_officer", data={"title": "Matrix", "due_on": "2027-03-31"}
    ),
    "mou:milestone-rename": Row("milestone", "owner", "owner"),
    "mou:milestone-list": Row(None, "everyone", "readonly"),
    "mou:milestone-detail": Row("milestone", "everyone", "readonly"),
    "mou:milestone-action": Row("milestone", "none", "owner", {"action": "complete"}),
    "exchanges:secondment-list": Row(None, "everyone", "readonly"),
    "exchanges:secondment-create": Row(None, "any_coordinator", "any_coordinator"),
    "exchanges:secondment-figures": Row(None, "everyone", "readonly"),
    "exchanges:commitment-secondments": Row("commitment_id", "everyone", "readonly"),
    "exchanges:secondment-detail": Row("secondment", "everyone", "readonly"),
    "exchanges:secondment-edit": Row("secondment", "coordinator", "coordinator"),
    "exchanges:secondment-action": Row(
        "secondment", "none", "coordinator", {"action": "cancel"}, {"reason": "matrix"}
    ),
    "reminders:mine": Row(None, "everyone", "readonly"),
    "reminders:dismiss": Row("reminder", "none", "recipient"),
    "reminders:outbox": Row(None, "administrators", "readonly"),
    "reminders:retry": Row("reminder", "none", "administrators"),
    "reminders:policy": Row(None, "everyone", "readonly"),
    "reporting:index": Row(None, "everyone", "readonly"),
    "reporting:who-owes-what": Row("agreement", "everyone", "readonly"),
    "reporting:timeline": Row("agreement", "everyone", "readonly"),
    "search:results": Row(None, "everyone", "readonly"),
    "feeds:settings": Row(None, "everyone", "readonly"),
    # Each person resets their own calendar address (tests/feeds: others' refused).
    "feeds:reset": Row(None, "none", "everyone"),
    # Secret-address feeds answer without signing in, to the holder of the address; a wrong,
    # old or unsigned address is refused (tests/feeds/test_feeds.py).
    "feeds:mine": Row(None, "skip", "skip"),
    "feeds:agreement": Row(None, "skip", "skip"),
    # Each person's own tokens: making one is a POST of its name; revoking someone else's
    # is refused (tests/api_tokens).
    "api_tokens:settings": Row(None, "everyone", "everyone", data={"name": "matrix"}),
    "api_tokens:revoke": Row(None, "skip", "skip"),
    # The API (read-only viewsets; each state change is an explicit POST action).
    "api-root": Row(None, "everyone", "none"),
    "api-schema": Row(None, "everyone", "none"),
    "api-docs": Row(None, "everyone", "none"),
    "agreement-list": Row(None, "everyone", "none"),
    "agreement-detail": Row("code", "everyone", "none"),
    "commitment-list": Row(None, "everyone", "none"),
    "commitment-detail": Row("commitment", "everyone", "none"),
    "commitment-transition": Row(
        "commitment", "none", "owner", data={"to": "at_risk", "reason": "matrix"}
    ),
    "milestone-list": Row(None, "everyone", "none"),
    "milestone-detail": Row("milestone", "everyone", "none"),
    "secondment-list": Row(None, "everyone", "none"),
    "secondment-figures": Row(None, "everyone", "none"),
    "secondment-detail": Row("secondment", "everyone", "none"),
    "secondment-approve": Row("secondment", "none", "coordinator", data={"side": "home"}),
    "secondment-activate": Row("secondment", "none", "coordinator"),
    "secondment-complete": Row("secondment", "none", "coordinator"),
    "secondment-cancel": Row("secondment", "none", "coordinator", data={"reason": "matrix"}),
    "clause-list": Row(None, "everyone", "none"),
    "clause-detail": Row("clause", "everyone", "none"),
    "party-list": Row(None, "everyone", "none"),
    "party-detail": Row("party", "everyone", "none"),
    "signatory-list": Row(None, "everyone", "none"),
    "signatory-detail": Row("signatory", "everyone", "none"),
    "person-list": Row(None, "everyone", "none"),
    "person-detail": Row("person", "everyone", "none"),
    "institute-list": Row(None, "everyone", "none"),
    "institute-detail": Row("institute", "everyone", "none"),
    "progressupdate-list": Row(None, "everyone", "none"),
    "progressupdate-detail": Row("progressupdate", "everyone", "none"),
    "report-summary": Row(None, "everyone", "none"),
    "report-changes": Row(None, "everyone", "none"),
    "report-overdue": Row(None, "everyone", "none"),
    # Milestone steps take the version the client read (If-Match or ``version``); who may
    # take each is tested per endpoint and role with that version in tests/mou/test_api*.
    "milestone-complete": Row("milestone", "none", "skip"),
    "milestone-cancel": Row("milestone", "none", "skip"),
    "milestone-reschedule": Row("milestone", "none", "skip"),
}

# The admin's account pages: the escalations an Administrator must not reach (ticking
# is_superuser on itself, widening its group, minting a token for someone else).
ADMIN: dict[str, Row] = {
    "admin:index": Row(None, "administrators", "skip"),  # a list: POST only runs list actions
    "admin:auth_user_changelist": Row(
        None, "administrators", "skip"
    ),  # a list: POST only runs list actions
    "admin:auth_user_add": Row(None, "superusers", "superusers"),
    "admin:auth_user_change": Row("self_user", "administrators", "superusers"),
    "admin:auth_user_delete": Row("self_user", "superusers", "superusers"),
    "admin:auth_user_password_change": Row("self_user", "superusers", "superusers"),
    "admin:auth_group_changelist": Row(
        None, "administrators", "skip"
    ),  # a list: POST only runs list actions
    "admin:auth_group_add": Row(None, "superusers", "superusers"),
    "admin:auth_group_change": Row("administrator_group", "administrators", "superusers"),
    # Nobody makes a token for someone else: each person makes their own on /settings/.
    "admin:api_tokens_apitoken_add": Row(None, "none", "none"),
    "admin:security_securityevent_changelist": Row(
        None, "administrators", "skip"
    ),  # a list: POST only runs list actions
    "admin:security_securityevent_export": Row(
        None, "administrators", "skip"
    ),  # a list: POST only runs list actions
    "admin:axes_accessattempt_changelist": Row(None, "administrators", "administrators"),
}
