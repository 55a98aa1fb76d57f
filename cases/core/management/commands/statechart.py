from cases.core import statechart
from cases.core.management.document_command import DocumentCommand


class Command(DocumentCommand):
    help = (
        "Write the state diagrams from the state machines: docs/repair-states.md (credit repair) and "
        "docs/complaint-states.md (complaints)."
    )

    def documents(self) -> dict[str, str]:
        return statechart.documents()
