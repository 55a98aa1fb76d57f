"""Signals between the sub-apps, which may not import each other (docs/architecture.md)."""

from django.dispatch import Signal

# Sent by cases.records.watch inside the batch's transaction, with `record_ids`: the records whose
# display just ended by itself. The repair app ends the applications still open on them (终止办理).
display_ended = Signal()
