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
    "mou:commitment-edit": Row("commitment", "owner", "owner"),
    "mou:commitment-transition": Row(
        "commitment", "none", "owner", data={"to": "at_risk", "reason": "matrix"}
    ),
    "mou:progress-update-create": Row(
        "commitment", "none", "owner_or_officer", data={"note": "matrix"}
    ),
    "mou:commitment-history": Row("commitment", "everyone", "readonly"),
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
    "admin:authtoken_tokenproxy_add": Row(None, "superusers", "superusers"),
    "admin:security_securityevent_changelist": Row(
        None, "administrators", "skip"
    ),  # a list: POST only runs list actions
    "admin:security_securityevent_export": Row(
        None, "administrators", "skip"
    ),  # a list: POST only runs list actions
    "admin:axes_accessattempt_changelist": Row(None, "administrators", "administrators"),
}
