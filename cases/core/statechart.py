"""State diagrams drawn from the state machines themselves (Mermaid), kept in docs/.

viewflow.fsm ships a `chart()` of its own, but under viewflow's commercial licence, so this
project draws its own from the transitions that viewflow.fsm exposes.
"""

from dataclasses import dataclass

from cases.core.states import (
    ComplaintMachine,
    ComplaintStatus,
    ObjectionMachine,
    ObjectionStatus,
    RepairMachine,
    RepairStatus,
)


@dataclass(frozen=True)
class Chart:
    title: str
    machine: type
    states: type
    initial: str
    filename: str


CHARTS = {
    "repair": Chart("Credit repair", RepairMachine, RepairStatus, RepairStatus.DRAFT, "repair-states.md"),
    "complaint": Chart(
        "Government-default complaints",
        ComplaintMachine,
        ComplaintStatus,
        ComplaintStatus.RECEIVED,
        "complaint-states.md",
    ),
    "objection": Chart(
        "Credit information objections",
        ObjectionMachine,
        ObjectionStatus,
        ObjectionStatus.SUBMITTED,
        "objection-states.md",
    ),
}


def mermaid(machine=RepairMachine, states=RepairStatus, initial=RepairStatus.DRAFT) -> str:
    lines = ["stateDiagram-v2", f"    [*] --> {initial.value}"]
    edges = sorted(
        {
            (str(transition.source), str(transition.target), method.slug)
            for method, transitions in machine.state.get_transitions().items()
            for transition in transitions
        }
    )
    lines += [f"    {source} --> {target}: {name}" for source, target, name in edges]
    lines += [f"    {state.value}: {state.value} ({state.label})" for state in states]
    return "\n".join(lines) + "\n"


def document(kind: str = "repair") -> str:
    chart = CHARTS[kind]
    return (
        f"# {chart.title}: states and transitions\n\n"
        "Generated from `cases/core/states.py` by `python manage.py statechart`; a test keeps it current.\n\n"
        "```mermaid\n" + mermaid(chart.machine, chart.states, chart.initial) + "```\n"
    )


def documents() -> dict[str, str]:
    """Every state diagram, by its file name in docs/."""
    return {chart.filename: document(kind) for kind, chart in CHARTS.items()}
