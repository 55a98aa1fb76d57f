from pathlib import Path

from django.utils import translation

from cases import statechart
from workflows import flowchart

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_the_state_diagram_in_docs_is_current():
    with translation.override("zh-hans"):
        assert (DOCS / "repair-states.md").read_text(encoding="utf-8") == statechart.document()


def test_the_diagram_has_no_second_one_time_notice():
    assert "resubmitted --> incomplete" not in statechart.mermaid()
    assert "submitted --> incomplete: request_materials" in statechart.mermaid()


def test_the_flow_diagrams_in_docs_are_current():
    with translation.override("zh-hans"):
        assert (DOCS / "flows.md").read_text(encoding="utf-8") == flowchart.document()


def test_the_repair_flow_loops_back_to_acceptance_after_the_correction():
    assert "after_correction --> acceptance" in flowchart.mermaid(flowchart.FLOWS["repair"])
