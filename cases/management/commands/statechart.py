from cases import statechart
from cases.management.document_command import DocumentCommand


class Command(DocumentCommand):
    help = "Write docs/repair-states.md, the credit-repair state diagram, from the state machine."
    filename = "repair-states.md"

    def document(self) -> str:
        return statechart.document()
