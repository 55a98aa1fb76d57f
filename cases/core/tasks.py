from celery import shared_task

from cases.core import retention


@shared_task(name="cases.tasks.anonymise_closed_cases", acks_late=True)
def anonymise_closed_cases() -> int:
    """Beat runs this daily (at night, office time): closed cases past their retention period lose
    their personal data (cases/core/retention.py); a run that finds none does nothing."""
    return len(retention.anonymise_due().anonymised)
