"""Screenshots of the main pages for the README, taken in headless Chromium against a fresh demo
database on the embedded stack (the deadline sweep run once, so the board shows its stages):

    .venv/bin/python docs/screenshots.py

Needs Debian's chromium and chromium-driver (`make test-e2e` installs them when missing). Writes
docs/screenshots/*.png; a page that does not exist in this version is left out, and said so."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
WAIT_SECONDS = 30
CHROME_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1280,900",
)

# Who looks at which page, the file it goes to, and what to scroll to (the top when None).
PAGES = [
    ("qiye", "/my/records/", "portal-records.png", None),
    ("qiye", "/repair/{repair}/", "portal-application.png", None),
    ("qiye", "/cases/{repair}/receipt/", "portal-receipt.png", None),
    ("qiye", "/my/applications/", "portal-applications.png", None),
    ("banli", "/repair/queue/", "queue-repair.png", None),
    ("dengji", "/complaints/", "queue-complaints.png", None),
    ("duban", "/supervision/", "supervisor-deadlines.png", None),
    ("duban", "/figures/", "figures.png", "main .charts"),
]
# The applicant's pages on a phone (390×844), the menu opened on the second.
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
PHONE_PAGES = [
    ("qiye", "/my/records/", "phone-records.png", None),
    ("qiye", "/my/records/", "phone-menu.png", ".menu-button"),
    ("qiye", "/repair/{repair}/", "phone-application.png", None),
]

# Loads the demo data and runs the sweep once, with tasks run in place (nothing is left in a
# broker for another database); prints the demo application's number and the paths that exist.
PREPARE = """
from django.core.management import call_command
from django.urls import Resolver404, resolve
from config.celery import app
from cases.core.models import Case
from cases.supervision.tasks import sweep_deadlines
app.conf.task_always_eager = True
call_command("seed_demo", stdout=open("/dev/null", "w"))
sweep_deadlines()
print("repair", Case.objects.filter(kind="repair").order_by("pk").first().number)
for path in {paths!r}:
    try:
        resolve(path)
        print("exists", path)
    except Resolver404:
        pass
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"daphne exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit("daphne did not answer /healthz within 60 s")


def browser(profile: str) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    driver_path = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(60)
    return driver


def settle(driver: webdriver.Chrome, focus: str | None) -> None:
    """Wait until the page and its fonts have loaded; scroll to `focus` and wait until the charts
    there have stopped drawing (their pixels the same twice in a row)."""
    wait = WebDriverWait(driver, WAIT_SECONDS, poll_frequency=0.1)
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete")
    driver.execute_async_script("document.fonts.ready.then(() => arguments[arguments.length - 1]())")
    if focus is None:
        return
    driver.execute_script("document.querySelector(arguments[0]).scrollIntoView(); window.scrollBy(0, -24);", focus)
    pixels = "return Array.from(document.querySelectorAll('canvas'), (canvas) => canvas.toDataURL()).join();"
    last = None
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        now = driver.execute_script(pixels)
        if now == last:
            return
        last = now
        time.sleep(0.5)
    raise TimeoutException("the charts kept changing")


def log_in(driver: webdriver.Chrome, base: str, username: str) -> None:
    driver.delete_all_cookies()
    driver.get(base + "/accounts/login/")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys("chengxin-demo")
    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(driver, WAIT_SECONDS).until(expected_conditions.staleness_of(page))
    if "/accounts/login/" in driver.current_url:
        sys.exit(f"{username} could not log in")
    if "/accounts/two-factor/verify/" in driver.current_url:  # staff: the code of the demo key
        page = driver.find_element(By.TAG_NAME, "html")
        driver.find_element(By.NAME, "token").send_keys(demo_code(username))
        driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        WebDriverWait(driver, WAIT_SECONDS).until(expected_conditions.staleness_of(page))
        if "/accounts/two-factor/" in driver.current_url:
            sys.exit(f"{username}'s code was refused")


_last_step: dict[str, int] = {}  # user name -> the last time step whose code was typed (each is taken once)


def demo_code(username: str) -> str:
    """The demo staff's authenticator code (cases.demo.loader.DEMO_TOTP_SECRET), each taken once."""
    import base64
    import hashlib
    import hmac
    import re
    import struct

    loader = (ROOT / "cases" / "demo" / "loader.py").read_text()
    secret = re.search(r'^DEMO_TOTP_SECRET = "(\w+)"', loader, re.MULTILINE).group(1)
    step = max(int(time.time()) // 30, _last_step.get(username, -1) + 1)
    _last_step[username] = step
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="chengxin-shots-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, SQLITE_PATH=str(work / "shots.sqlite3"), MEDIA_ROOT=str(work / "media"),
               DJANGO_SETTINGS_MODULE="config.settings.local", LOG_LEVEL="WARNING")  # fmt: skip
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    paths = sorted({path for _user, path, _name, _focus in PAGES if "{" not in path})
    prepared = subprocess.run(
        [python, "manage.py", "shell", "-c", PREPARE.format(paths=paths)],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout.split("\n")  # fmt: skip
    repair = next(line.split()[1] for line in prepared if line.startswith("repair "))
    existing = {line.split()[1] for line in prepared if line.startswith("exists ")}
    server = subprocess.Popen(
        [str(Path(python).parent / "daphne"), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    driver = None
    try:
        wait_until_healthy(base, server)
        driver = browser(str(work / "profile"))
        driver.set_script_timeout(WAIT_SECONDS)
        OUT.mkdir(parents=True, exist_ok=True)
        for username, path, name, focus in PAGES:
            if "{" not in path and path not in existing:
                print(f"left out {name}: {path} is not in this version")
                continue
            log_in(driver, base, username)
            driver.get(base + path.format(repair=repair))
            try:
                settle(driver, focus)
            except TimeoutException:
                sys.exit(f"{path} did not finish loading")
            driver.save_screenshot(str(OUT / name))
            print("saved", (OUT / name).relative_to(ROOT))
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
        for username, path, name, press in PHONE_PAGES:
            log_in(driver, base, username)
            driver.get(base + path.format(repair=repair))
            settle(driver, None)
            if press:
                driver.find_element(By.CSS_SELECTOR, press).click()
            driver.save_screenshot(str(OUT / name))
            print("saved", (OUT / name).relative_to(ROOT))
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        server.wait(timeout=15)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
