"""The two flows drawn from their nodes (Mermaid flowcharts), kept in docs/flows.md.

viewflow draws flows in its own frontend; this project does not mount that frontend (one layout
for every page), so the documentation gets a diagram generated from the same nodes.
"""

from viewflow.workflow import flow as nodes

from workflows.flows import FLOWS

SHAPES = {
    nodes.StartHandle: ("([", "])"),
    nodes.End: ("([", "])"),
    nodes.Switch: ("{", "}"),
    nodes.Handle: ("[[", "]]"),
}


def _id(node) -> str:
    return "finish" if node.name == "end" else node.name  # `end` is a keyword in Mermaid


def _label(node) -> str:
    if isinstance(node, (nodes.View, nodes.Handle)):
        return f"{node.name}: {node.task_title}"
    return node.name


def mermaid(flow_class) -> str:
    flow = flow_class.instance
    lines = ["flowchart TD"]
    for node in flow.nodes():
        left, right = next((shape for kind, shape in SHAPES.items() if isinstance(node, kind)), ("[", "]"))
        lines.append(f'    {_id(node)}{left}"{_label(node)}"{right}')
    for node in flow.nodes():
        for edge in node._outgoing():
            lines.append(f"    {_id(edge.src)} --> {_id(edge.dst)}")
    return "\n".join(lines) + "\n"


def document() -> str:
    parts = [
        "# The two flows\n\n",
        "Generated from `workflows/flows.py` by `python manage.py flowchart`; a test keeps it current. ",
        "Rounded boxes start and end the process, diamonds route by the case's state, boxes are ",
        "human tasks, the double box is done by the system. The diamonds are derived from ",
        "`cases/core/states.py`: which task a case waits on in which states, and which task each ",
        "transition completes.\n",
    ]
    for kind, flow_class in FLOWS.items():
        parts.append(f"\n## {flow_class.process_title} (`{kind}`)\n\n```mermaid\n{mermaid(flow_class)}```\n")
    return "".join(parts)
