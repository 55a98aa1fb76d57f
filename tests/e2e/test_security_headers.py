"""Every kind of page renders under the Content-Security-Policy with no violation reported by
Chromium: no inline script, no inline style, nothing from another site (the API docs included)."""

import pytest

pytestmark = pytest.mark.e2e

# Recorded in the page before its own scripts: every violation the browser reports to the page.
CSP_PROBE = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""

# (who, path, a CSS selector that shows the page has rendered its scripted part)
PAGES = [
    (None, "/", "main"),
    (None, "/track/", "main"),
    (None, "/accounts/login/", "main form"),
    ("qiye", "/my/records/", "main"),
    ("qiye", "/my/applications/", "main"),
    ("banli", "/repair/queue/", "main"),
    ("dengji", "/complaints/", "main"),
    ("duban", "/supervision/", "#board-rows"),
    ("duban", "/figures/", "main canvas"),
    ("admin", "/admin/", "#content"),
    ("admin", "/admin/cases/user/", "#changelist"),
    ("admin", "/admin/cases/user/add/", "#content form"),
    ("admin", "/api/docs/", ".swagger-ui .opblock"),
]


def _violations(browser) -> list[str]:
    reported = browser.driver.execute_script("return window.__cspViolations || [];")
    console = [
        entry["message"]
        for entry in browser.driver.get_log("browser")
        if "Content Security Policy" in entry["message"] or "Content-Security-Policy" in entry["message"]
    ]
    return reported + console


@pytest.mark.parametrize("who", ["anonymous", *sorted({who for who, _path, _css in PAGES if who})])
def test_each_page_type_renders_without_a_csp_violation(browser, who):
    who = None if who == "anonymous" else who
    person = browser()
    person.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_PROBE})
    if who:
        person.login(who)
    person.driver.get_log("browser")  # what the sign-in pages logged is checked by the anonymous run
    seen = {}
    for page_who, path, css in PAGES:
        if page_who != who:
            continue
        person.visit(path)
        person.wait_for(css)
        if who and not path.startswith(("/admin/", "/api/")):
            person.wait_live()  # the socket's connection is checked too (connect-src)
        seen[path] = _violations(person)
    assert seen and not any(seen.values()), seen
