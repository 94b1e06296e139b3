from django.db import models


class SecurityEventKind(models.TextChoices):
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    LOCKED_OUT = "locked_out", "Locked out"
    SIGN_OUT = "sign_out", "Signed out"
    SIGNED_OUT_EVERYWHERE = "signed_out_everywhere", "Signed out everywhere"
    SESSION_EXPIRED = "session_expired", "Session expired"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    ACCESS_REFUSED = "access_refused", "Access refused"
    ACCOUNT_CHANGED = "account_changed", "Account changed by an administrator"
    LOCKOUT_RESET = "lockout_reset", "Lockout reset"
