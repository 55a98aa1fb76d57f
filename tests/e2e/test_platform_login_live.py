"""A legal representative signs in through the province's unified identity platform in a real
browser: our sign-in page's button, the platform's own sign-in page (a django-oauth-toolkit
provider in a process of its own), back to us bound to the enterprise, its records on the page."""

import sys
from datetime import date
from pathlib import Path

from cases.core.models import IdentityBinding, User
from cases.records import services as record_services
from tests.e2e.conftest import Server
from tests.factories import valid_uscc
from tests.integration.identity_platform.running import CLAIM_SETTINGS, identity_platform

USCC = valid_uscc("91620702MA71PLAT0")
DECISION = "甘市监罚〔2026〕平台登录1号"


class PlatformServer(Server):
    """daphne alone (the session's worker serves it too), with platform sign-in configured; the
    session's own server has it off."""

    oidc: dict = {}

    def env(self) -> dict:
        env = super().env()
        env.update({key: ",".join(value) if isinstance(value, list) else value for key, value in self.oidc.items()})
        return env

    def start(self) -> "PlatformServer":
        bin_dir = Path(sys.executable).parent
        daphne = [str(bin_dir / "daphne")] if (bin_dir / "daphne").exists() else [sys.executable, "-m", "daphne"]
        self._spawn("platform-daphne", [*daphne, "-b", "127.0.0.1", "-p", str(self.port), "config.asgi:application"])
        try:
            self._wait_until_healthy()
        except Exception:
            self.stop()
            raise
        return self


def test_a_legal_representative_signs_in_through_the_platform(e2e_server, e2e_artifacts, browser, orm):
    record_services.register_credit_record(actor=User.objects.get(username="banli"), data={
        "party_kind": "enterprise", "party_name": "平台登录测试有限公司", "party_id_number": USCC,
        "record_type": "penalty", "decision_number": DECISION, "decided_on": date(2026, 1, 5),
        "severity": "general", "summary": "未按规定公示年度报告，罚款 2000 元",
    })  # fmt: skip
    server = PlatformServer(e2e_artifacts)
    claims = {"boss": {"usc_code": USCC, "subject_type": "legal", "corp_name": "平台登录测试有限公司",
                       "role_in_corp": "LR", "name": "钱经理"}}  # fmt: skip
    with identity_platform(claims=claims, client_id="chengxin-e2e", client_secret="e2e-client-secret",
                           redirect_uri=server.page("/accounts/platform/callback/")) as platform:  # fmt: skip
        server.oidc = {**platform["settings"], **CLAIM_SETTINGS}
        server.start()
        try:
            person = browser()
            person.server = server
            person.visit("/accounts/login/")
            person.click("main a.button", text="统一身份认证平台")
            person.wait_until(lambda d: d.current_url.startswith(platform["base"]), "on the platform's sign-in page")
            person.fill("#platform-user", "boss")
            person.click("button[type=submit]")
            person.wait_until(lambda d: d.current_url == server.page("/home/"), "back on our desk, signed in")
            person.wait_for("main", text="平台登录测试有限公司")
            person.visit("/my/records/")
            person.wait_for("main", text=DECISION)
        finally:
            server.stop()
    binding = IdentityBinding.objects.get(id_number=USCC, revoked_at__isnull=True)
    assert (binding.method, binding.role) == ("platform", "legal_representative")
