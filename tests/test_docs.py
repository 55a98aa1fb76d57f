from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.utils import translation

from cases.core import statechart
from cases.core.states import CaseMachine
from workflows import flowchart

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_the_state_diagrams_in_docs_are_current():
    with translation.override("zh-hans"):
        documents = statechart.documents()
    assert sorted(documents) == ["complaint-states.md", "repair-states.md"]
    for filename, text in documents.items():
        assert (DOCS / filename).read_text(encoding="utf-8") == text, f"docs/{filename}: run manage.py statechart"


def test_every_state_machine_has_a_diagram():
    assert {chart.machine for chart in statechart.CHARTS.values()} == set(CaseMachine.__subclasses__())


def test_the_statechart_command_writes_both_diagrams(tmp_path, settings):
    (tmp_path / "docs").mkdir()
    settings.BASE_DIR = tmp_path
    call_command("statechart", stdout=StringIO())
    for filename in ("repair-states.md", "complaint-states.md"):
        assert (tmp_path / "docs" / filename).read_text(encoding="utf-8") == (DOCS / filename).read_text(
            encoding="utf-8"
        )


def test_the_diagram_has_no_second_one_time_notice():
    assert "resubmitted --> incomplete" not in statechart.mermaid()
    assert "submitted --> incomplete: request_materials" in statechart.mermaid()


def test_the_flow_diagrams_in_docs_are_current():
    with translation.override("zh-hans"):
        assert (DOCS / "flows.md").read_text(encoding="utf-8") == flowchart.document()


def test_the_repair_flow_loops_back_to_acceptance_after_the_correction():
    assert "after_correction --> acceptance" in flowchart.mermaid(flowchart.FLOWS["repair"])
