"""State diagrams drawn from the state machines themselves (Mermaid), kept in docs/.

viewflow.fsm ships a `chart()` of its own, but under viewflow's commercial licence, so this
project draws its own from the transitions that viewflow.fsm exposes.
"""

from cases.states import RepairMachine, RepairStatus


def mermaid(machine=RepairMachine, states=RepairStatus) -> str:
    lines = ["stateDiagram-v2", f"    [*] --> {states.DRAFT.value}"]
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


def document() -> str:
    return (
        "# Credit repair: states and transitions\n\n"
        "Generated from `cases/states.py` by `python manage.py statechart`; a test keeps it current.\n\n"
        "```mermaid\n" + mermaid() + "```\n"
    )
