from cases.core.management.document_command import DocumentCommand
from workflows import flowchart


class Command(DocumentCommand):
    help = "Write docs/flows.md, the diagrams of the two viewflow flows, from their nodes."
    filename = "flows.md"

    def document(self) -> str:
        return flowchart.document()
