"""Every page type carries the security headers: a Content-Security-Policy that allows no inline
script and no framing, Referrer-Policy, Permissions-Policy and X-Frame-Options."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]

# (who signs in, path)
PAGES = [
    (None, "/"),
    (None, "/track/"),
    (None, "/accounts/login/"),
    ("applicant", "/my/records/"),
    ("applicant", "/my/applications/"),
    ("caseworker", "/repair/queue/"),
    ("supervisor", "/supervision/"),
    ("admin_user", "/admin/"),
    ("admin_user", "/admin/cases/user/"),
    ("admin_user", "/api/docs/"),
    ("admin_user", "/api/docs/?script="),
]


def _policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "path"), PAGES)
def test_each_page_type_carries_the_security_headers(request, who, path):
    client = Client()
    if who:
        client.force_login(request.getfixturevalue(who))
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]


def test_the_api_docs_load_nothing_from_another_site(admin_user):
    client = Client()
    client.force_login(admin_user)
    page = client.get("/api/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets and all(url.startswith("/") for url in assets), assets
    for url in assets:
        if url.startswith(settings.STATIC_URL):
            assert finders.find(url.removeprefix(settings.STATIC_URL)), url
    assert "<script>" not in page and "<style>" not in page


def test_no_template_has_an_inline_script_an_event_handler_or_an_inline_style():
    found = []
    for template in (ROOT / "templates").rglob("*.html"):
        if template.is_relative_to(ROOT / "templates" / "notices") or template.is_relative_to(
            ROOT / "templates" / "reports"
        ):
            continue  # rendered to PDF by WeasyPrint, never served as a page
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            found.append(f"{template}: inline <script>")
        if re.search(r"\son[a-z]+\s*=", text):
            found.append(f"{template}: on*= handler")
        if re.search(r"<style|\sstyle\s*=", text):
            found.append(f"{template}: inline style")
    assert not found, found
