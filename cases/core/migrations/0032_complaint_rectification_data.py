"""Brings the complaints already on record under the rules of the rectification stage (#16):

- integrity entries: under the old rule every substantiated complaint wrote a breach entry at
  closing. An entry whose complaint closed with the complainant satisfied (the body paid or put it
  right) was a cured default: it is re-marked as cured, not as a breach. The count is printed.
- the complainant's confirmation windows stop being supervised (no reminder, order or escalation
  against a department), and the cases they held on the board are recomputed;
- how each closed complaint ended (Complaint.outcome) and who recorded satisfaction;
- complaints by telephone, counter or the 12345 hotline need a call-back before "deemed satisfied";
- the new policy rows (rectification period, call-back attempts).
"""

from django.db import migrations
from django.db.models import Max, Min, Q

from cases.core import policies

CONFIRM_STEP = "complaint.confirm"
CALLBACK_CHANNELS = ("12345", "phone", "counter")


def forwards(apps, schema_editor):
    IntegrityEntry = apps.get_model("cases", "IntegrityEntry")
    Complaint = apps.get_model("cases", "Complaint")
    Deadline = apps.get_model("cases", "Deadline")
    Case = apps.get_model("cases", "Case")
    Channel = apps.get_model("cases", "Channel")

    cured = IntegrityEntry.objects.filter(complaint__satisfied=True).update(kind="cured")
    kept = IntegrityEntry.objects.filter(kind="breach").count()
    print(f"\n  integrity entries re-marked as cured (not a breach): {cured}; breach entries kept: {kept}")

    windows = Deadline.objects.filter(step=CONFIRM_STEP)
    case_ids = list(windows.filter(closed_at__isnull=True).values_list("case_id", flat=True).distinct())
    windows.update(supervised=False, next_action_at=None, stage=0)
    for case_id in case_ids:
        summary = Deadline.objects.filter(case_id=case_id, closed_at__isnull=True, supervised=True).aggregate(
            next_due_at=Min("due_at", filter=Q(paused_at__isnull=True)), stage=Max("stage")
        )
        Case.objects.filter(pk=case_id).update(next_due_at=summary["next_due_at"], supervision_stage=summary["stage"] or 0)

    closed = Complaint.objects.filter(case__closed_at__isnull=False, outcome="")
    closed.filter(merged_into__isnull=False).update(outcome="merged")
    closed.filter(case__state="rejected", merged_into__isnull=True).update(outcome="rejected")
    closed.filter(case__state="closed", satisfied=False).update(outcome="closed_after_review")
    closed.filter(case__state="closed", satisfied=True, finding="substantiated").update(outcome="cured")
    closed.filter(case__state="closed", satisfied=True, finding="unsubstantiated").update(outcome="unsubstantiated")
    Complaint.objects.filter(satisfied=True, confirmed_by_default=True).update(satisfaction_source="deemed")
    Complaint.objects.filter(satisfied__isnull=False, satisfaction_source="").update(satisfaction_source="complainant")

    Channel.objects.filter(code__in=CALLBACK_CHANNELS).update(callback_required=True)
    policies.load_defaults(apps.get_model("cases", "Policy"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0031_complaint_rectification")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
