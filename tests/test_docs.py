import re
import subprocess
import tomllib
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
    assert sorted(documents) == ["complaint-states.md", "objection-states.md", "repair-states.md"]
    for filename, text in documents.items():
        assert (DOCS / filename).read_text(encoding="utf-8") == text, f"docs/{filename}: run manage.py statechart"


def test_every_state_machine_has_a_diagram():
    assert {chart.machine for chart in statechart.CHARTS.values()} == set(CaseMachine.__subclasses__())


def test_the_statechart_command_writes_both_diagrams(tmp_path, settings):
    (tmp_path / "docs").mkdir()
    settings.BASE_DIR = tmp_path
    call_command("statechart", stdout=StringIO())
    for filename in ("repair-states.md", "complaint-states.md", "objection-states.md"):
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


ROOT = DOCS.parent
# Built here, not written out, so that this file does not cite them itself.
UNPUBLISHED_REFERENCES = ("DOMAIN" + ".md", "DESIGN" + ".md")
NOT_THE_PROJECTS = {".git", ".venv", "var", "staticfiles", "media", "mutants", "node_modules", "__pycache__"}


def repository_files() -> list[Path]:
    """The repository's files: those git tracks, or, without git, every file outside the
    virtualenv, build output and caches."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return [
            path
            for path in ROOT.rglob("*")
            if path.is_file() and not NOT_THE_PROJECTS & set(path.relative_to(ROOT).parts)
        ]
    return [ROOT / name for name in listed.decode().split("\0") if name and (ROOT / name).is_file()]


def test_no_file_cites_the_office_reference_documents_that_are_not_in_the_repository():
    citing = []
    for path in repository_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # images, compiled catalogs
        if any(name in text for name in UNPUBLISHED_REFERENCES):
            citing.append(str(path.relative_to(ROOT)))
    assert citing == [], "cite docs/domain.md or docs/architecture.md instead"


def headings(page: str) -> set[str]:
    text = (DOCS / page).read_text(encoding="utf-8")
    return {line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#")}


def test_every_pointer_to_a_docs_section_names_a_section_that_exists():
    pointers = []
    for path in [*ROOT.glob("cases/**/*.py"), *ROOT.glob("workflows/**/*.py"), *ROOT.glob("tests/**/*.py")]:
        # A pointer may be wrapped over two lines of a comment or a docstring.
        text = re.sub(r"\s*\n\s*(#\s*)?", " ", path.read_text(encoding="utf-8"))
        pointers += [(path, page, section) for page, section in re.findall(r'docs/([\w-]+\.md), "([^"]+)"', text)]
    assert pointers, "no pointers found: the pattern no longer matches how comments point to docs"
    missing = [(str(path.relative_to(ROOT)), page, section) for path, page, section in pointers
               if section not in headings(page)]  # fmt: skip
    assert missing == []


def contract_modules() -> set[str]:
    """Every app the import-linter contracts in pyproject.toml name."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    named = set()
    for contract in config["contracts"]:
        for layer in contract.get("layers", []):
            named |= {module.strip() for module in re.split(r"[|:]", layer)}
        for key in ("modules", "source_modules", "forbidden_modules"):
            named |= set(contract.get(key, []))
    return named


def test_the_architecture_diagram_names_exactly_the_apps_of_the_import_contracts():
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    diagram = text.split("```mermaid", 1)[1].split("```", 1)[0]
    drawn = set(re.findall(r"\w+\[([\w.]+)\]", diagram))
    assert drawn == contract_modules()
