"""Every write of the reminders app: the scan, delivery (outbox), and people's actions."""

from reminders.services.actions import reminder_dismiss, reminder_retry
from reminders.services.delivery import DeliveryResult, deliver_pending
from reminders.services.scan import ScanResult, scan_reminders

__all__ = [
    "DeliveryResult",
    "ScanResult",
    "deliver_pending",
    "reminder_dismiss",
    "reminder_retry",
    "scan_reminders",
]
