"""Every write of the reminders app: the scan, delivery (outbox), and people's actions."""

from reminders.services.scan import ScanResult, scan_reminders

__all__ = ["ScanResult", "scan_reminders"]
