"""The shared base model: timestamps and an optimistic-locking version."""

from django.db import models


class TimestampedModel(models.Model):
    """Created/updated times and a version bumped on every save through a service.

    ``version`` lets a form or an API client prove that it edited the current copy:
    a save carrying an older version is refused (see ``core.concurrency``).
    """

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True
