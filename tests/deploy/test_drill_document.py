"""The drill runs what docs/operations.md says, and changes only the values block."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("from_docs", ROOT / "deploy" / "drill" / "from_docs.py")
from_docs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(from_docs)

DOC = (ROOT / "docs" / "operations.md").read_text()
DRILL_VALUES = ["ROOT", "REPOSITORY", "RELEASE", "TLS_CERT", "TLS_KEY", "HTTP_PORT", "HTTPS_PORT", "WEB_PORT",
                "PG_PORT", "REDIS", "CHENGXIN_URL"]  # fmt: skip


def test_the_blocks_are_taken_in_document_order_and_only_those_marked_install():
    text = "a\n```sh install\none\n```\n```sh\nnot this\n```\n```sh install\ntwo\n```\n"
    assert from_docs.install_blocks(text) == [(2, "one\n"), (8, "two\n")]


def test_the_first_block_of_the_document_defines_every_value_the_drill_sets():
    first = from_docs.install_blocks(DOC)[0][1]
    changed = from_docs.with_values(first, {name: f"drill-{name}" for name in DRILL_VALUES})
    for name in DRILL_VALUES:
        assert f"{name}=drill-{name}" in changed


def test_a_value_the_document_does_not_define_stops_the_drill():
    with pytest.raises(SystemExit, match="PG_PORT"):
        from_docs.with_values("ROOT=\nHTTP_PORT=80\n", {"ROOT": "/tmp/x", "PG_PORT": "1"})


def test_the_production_values_are_the_ones_the_reference_files_name():
    first = from_docs.install_blocks(DOC)[0][1]
    assert "ROOT= " in first and "HTTP_PORT=80 HTTPS_PORT=443" in first and "WEB_PORT=8000" in first
    assert "CHENGXIN_DOMAIN=credit.example.gov.cn" in first


def test_the_services_are_started_after_the_packages_are_installed():
    script = from_docs.script(from_docs.install_blocks(DOC), dict.fromkeys(DRILL_VALUES, "x"), "HOOK")
    assert script.index("apt-get install") < script.index("HOOK provision") < script.index("CREATE ROLE")


def test_a_unit_is_started_with_its_own_environment_file_only(tmp_path):
    (tmp_path / "env").write_text("# comment\nA=1\nB='two words'\n\nC=\n")
    assert from_docs.environment_file(tmp_path / "env") == {"A": "1", "B": "two words", "C": ""}


def test_the_authenticator_code_is_rfc_6238():
    # RFC 6238's SHA-1 test vector: the key "12345678901234567890", 59 s, 8 digits 94287082.
    assert from_docs.totp("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", at=59) == "287082"
