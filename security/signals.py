"""Sign-in, failure, lockout and sign-out become security events."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from security import sessions
from security.choices import SecurityEventKind
from security.services import record_event


@receiver(user_logged_in, dispatch_uid="security-sign-in")
def _signed_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        sessions.start(request, user)
    record_event(kind=SecurityEventKind.SIGN_IN, request=request, actor=user)


@receiver(user_login_failed, dispatch_uid="security-sign-in-failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    record_event(
        kind=SecurityEventKind.SIGN_IN_FAILED,
        request=request,
        username=str(credentials.get("username", "")),
        detail="wrong username or password",
    )


@receiver(user_locked_out, dispatch_uid="security-locked-out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    record_event(
        kind=SecurityEventKind.LOCKED_OUT,
        request=request,
        username=str(username or ""),
        detail="too many failed sign-ins: locked for the cool-off period",
    )


@receiver(user_logged_out, dispatch_uid="security-sign-out")
def _signed_out(sender, request, user, **kwargs):
    if request is not None:
        sessions.end(request)
    if user is not None and not getattr(request, "_accord_session_expired", False):
        record_event(kind=SecurityEventKind.SIGN_OUT, request=request, actor=user)
