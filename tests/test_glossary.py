"""The zh-hans wording follows docs/glossary.md: no avoided term in the catalogue, the templates or
the code's strings, and every term in use is in the catalogue (docs/glossary.md, "Avoid")."""

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
CATALOG = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
TEMPLATE_DIRS = ("cases", "workflows", "notifications", "templates")
TEMPLATE_SUFFIXES = {".html", ".txt"}
CODE_DIRS = ("cases", "workflows", "notifications", "config")
CJK = re.compile(r"[\u3400-\u9fff]")
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy", "npgettext",
           "npgettext_lazy"}  # fmt: skip
# A msgid is checked through its msgstr in the catalogue, not as written in the template or the code.
TEMPLATE_MSGIDS = re.compile(
    r'\{%\s*trans(?:late)?\s+"[^"]*"|\{%\s*blocktrans(?:late)?\b.*?\{%\s*endblocktrans(?:late)?\s*%\}', re.S
)


@dataclass(frozen=True)
class Avoid:
    term: str
    use: str
    allowed: tuple[str, ...]

    def found_in(self, text: str) -> bool:
        """Whether the term occurs outside every allowed phrase."""
        for phrase in self.allowed:
            text = text.replace(phrase, "")
        return self.term in text


def table(heading: str) -> list[list[str]]:
    """The rows (cells stripped) of the first table under `## heading` in the glossary."""
    text = GLOSSARY.read_text(encoding="utf-8")
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.strip().strip("|").split("|") for line in section.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row] for row in rows[2:]]  # past the header and its rule


def code_spans(cell: str) -> tuple[str, ...]:
    return tuple(re.findall(r"`([^`]+)`", cell))


def avoid_list() -> list[Avoid]:
    return [Avoid(code_spans(term)[0], use, code_spans(allowed)) for term, use, _context, allowed in table("Avoid")]


def catalogue_texts():
    for entry in polib.pofile(str(CATALOG)):
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            if text:
                yield f"django.po msgid {entry.msgid!r}", text


def template_texts():
    for folder in TEMPLATE_DIRS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in TEMPLATE_SUFFIXES and path.is_file():
                text = TEMPLATE_MSGIDS.sub(lambda m: "\n" * m[0].count("\n"), path.read_text(encoding="utf-8"))
                for number, line in enumerate(text.splitlines(), 1):
                    yield f"{path.relative_to(ROOT)}:{number}", line


def not_scanned(tree: ast.AST) -> set[int]:
    """The docstrings and the msgids (arguments of the gettext functions) of a module."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in GETTEXT:
            found |= {id(arg) for arg in node.args}
    return found


def code_texts():
    """Every string literal of the application's Python code with Chinese in it, but docstrings and msgids."""
    for folder in CODE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            skip = not_scanned(tree)
            for node in ast.walk(tree):
                if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
                        and CJK.search(node.value)):  # fmt: skip
                    yield f"{path.relative_to(ROOT)}:{node.lineno}", node.value


def offences(texts, avoid: list[Avoid]) -> list[str]:
    return [f"{where}: {rule.term} → {rule.use} in {text!r}" for where, text in texts for rule in avoid
            if rule.found_in(text)]  # fmt: skip


def test_the_glossary_lists_the_terms_to_avoid():
    terms = {rule.term for rule in avoid_list()}
    assert {"立案", "退回", "异议", "督办通知", "你", "国家平台", "交办错误"} <= terms
    assert all(CJK.search(rule.use) for rule in avoid_list())


def test_an_avoided_term_is_found_and_only_the_listed_phrases_are_allowed():
    avoid = {rule.term: rule for rule in avoid_list()}
    assert avoid["立案"].found_in("已接收，正在立案。")
    assert avoid["退回"].found_in("交办错误，退回")
    assert not avoid["退回"].found_in("非本部门职责，申请退回（退单）")
    assert avoid["异议"].found_in("确认答复或提出异议（投诉人）")
    assert not avoid["异议"].found_in("如对本决定有异议，可依法申请行政复议或者提起行政诉讼。")
    assert avoid["你"].found_in("任务已由你办理。")
    assert not avoid["你"].found_in("任务已由您办理。")


@pytest.mark.parametrize("texts", [catalogue_texts, template_texts, code_texts], ids=lambda f: f.__name__)
def test_no_text_uses_an_avoided_term(texts):
    assert offences(texts(), avoid_list()) == []


def test_the_scans_read_what_they_should():
    """Guards the scans themselves: a scan that reads nothing would let every term through."""
    assert any(text == "已登记" for _where, text in catalogue_texts())
    assert any(where.startswith("cases/core/templates/notices/correction.html:") for where, _text in template_texts())
    assert any(where.startswith("cases/reporting/reports.py") for where, _text in code_texts())
    code = [where for where, _text in code_texts()]
    assert "cases/complaints/models.py:1" not in code  # a docstring
    assert "cases/core/models/notices.py:13" not in code  # a msgid: its msgstr is what pages show
    assert not any("On-time rate (按时办结率)" in text for _where, text in template_texts())  # a msgid


def test_every_term_in_use_is_in_the_catalogue():
    msgstrs = [text for _where, text in catalogue_texts()]
    in_use = [term for term, _msgid, _meaning, status in table("Terms") if status == "in use"]
    assert len(in_use) > 10
    assert [term for term in in_use if not any(term in text for text in msgstrs)] == []
