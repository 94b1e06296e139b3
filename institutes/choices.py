from django.db import models


class Role(models.TextChoices):
    """The roles of Accord's users; each is a Django group made by a data migration."""

    POLICY_OFFICER = "Policy officer", "Policy officer"
    COMMITMENT_OWNER = "Commitment owner", "Commitment owner"
    EXCHANGE_COORDINATOR = "Exchange coordinator", "Exchange coordinator"
    REPORTING_ANALYST = "Reporting analyst", "Reporting analyst"
    ADMINISTRATOR = "Administrator", "Administrator"
