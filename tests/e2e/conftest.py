"""Browser tests: the real pages in headless Chromium, against the real stack.

`make test-e2e` (part of `make test`) runs them:

    DJANGO_SETTINGS_MODULE=tests.e2e.settings \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/14 \\
    .venv/bin/pytest -m e2e tests/e2e

Every test under tests/e2e/ is marked `e2e` by its folder, and `integration` too, since it needs
the real services as well: the unit run (`-m "not integration and not e2e"`, or just
`-m "not integration"`) leaves them out, and `make test-e2e` picks them with `-m e2e`. They are
never skipped: when PostgreSQL, Redis, Chromium or
chromedriver is missing, or the settings are not tests.e2e.settings, the run stops with a message
saying what is missing and how to get it.

What the run sets up once (session fixture `e2e_server`):
  - a PostgreSQL database of the run's own (test_chengxin_e2e_<run>, made by pytest-django,
    migrated, dropped at the end) with the demo data of `manage.py seed_demo` (cases/demo.py: the
    users qiye, geren, dengji, banli, banli2, kezhang, duban, admin; password `chengxin-demo`);
  - daphne serving config.asgi:application on a free port, as the Procfile does, and a Celery
    worker (solo pool, as the Procfile's), both on that database and on Redis with the channel
    layer, cache and queue named after the run (tests/e2e/settings.py). Live pushes therefore go
    through real Redis pub/sub from whichever process commits: the server, the worker, or the test.
  Both processes are stopped at the end of the session; their output is in var/e2e/<run>/.

Fixtures for tests:
  - `e2e_server` -> Server: `.url`, `.page(path)` (the absolute URL), `.manage(*args)` (a
    management command on the server's database and Redis, e.g. `server.manage("shell", "-c", code)`),
    `.log_tail()`.
  - `browser` -> a factory: `browser("qiye")` opens a new, independent browser (a separate
    WebDriver session with its own profile, cookies and live socket) and logs the user in;
    `browser()` opens one logged out. Call it as often as the story needs people; all are closed
    after the test. When a test fails, each browser's screenshot, page source and console log are
    saved under var/e2e/<run>/<test>/ and the server's log tail is printed with the report.
  - `orm`: lets the test read and write the run's database in-process (models and services, e.g.
    `record_services.register_credit_record(...)`). Writes are committed at once and never rolled back:
    the database is shared by every test of the run, so a test makes the rows it changes (unique
    decision numbers, its own cases) and asserts on those only. Pushes and tasks from services
    called here reach the browsers and the worker like the server's own.

Browser (see the class): `visit(path)`, `login(username)`, `find(css)`, `find_all(css)`,
`wait_for(css, text=...)`, `wait_until(condition, message)`, `click(css, text=...)` (waits for the
next page when the click leaves the page), `fill(css, value)`, `upload(css, path)`,
`wait_live()` (the page's live socket has connected and received its greeting: call it after each
page load before something is pushed), `unread_count()`, `toasts()` (on the page now),
`wait_for_toast(text)` (shown since the page loaded, even if faded), `mark_page()` / `same_page()`
(to assert that something arrived without a reload), `screenshot(path)`. Waits are explicit
(WebDriverWait, polling every 0.1 s) and bounded by WAIT_SECONDS.
"""

import contextlib
import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.services_check import missing_services

ROOT = Path(__file__).resolve().parents[2]
E2E_SETTINGS = "tests.e2e.settings"
WAIT_SECONDS = float(os.environ.get("E2E_WAIT_SECONDS", "20"))
START_SECONDS = 90  # daphne and the worker answering, on a slow CI machine
INSTALL_BROWSER = "apt-get install chromium chromium-driver  (as root; `make test-e2e` does it when missing)"
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
    "--window-size=1280,900",
)

# Installed in every page before its own scripts: counts the live socket's openings and the types
# of the messages it receives, so a test can wait until the page is listening, and keeps the text
# of every toast shown, so a test can tell one was shown even after it faded (10 s).
LIVE_PROBE = """
(() => {
  const Native = window.WebSocket;
  const probe = (window.__e2eLive = { opened: 0, received: [], toasts: [] });
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("open", () => { probe.opened += 1; });
      this.addEventListener("message", (event) => {
        try { probe.received.push(JSON.parse(event.data).type); } catch (error) { probe.received.push("?"); }
      });
    }
  };
  document.addEventListener("DOMContentLoaded", () => {
    const box = document.getElementById("toasts");
    if (!box) return;
    new MutationObserver((changes) => {
      for (const change of changes) {
        for (const node of change.addedNodes) {
          if (node.nodeType === 1) probe.toasts.push(node.innerText || node.textContent);
        }
      }
    }).observe(box, { childList: true });
  });
})();
"""


def browser_binaries() -> tuple[str | None, str | None]:
    """Chromium and its driver: $CHROMIUM / $CHROMEDRIVER, else Debian's on the PATH."""
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    driver = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver")
    return chromium, driver


# --- collection: mark by folder, stop early with a message when something is missing ---------


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.integration)


def _missing() -> list[str]:
    problems = []
    if settings.SETTINGS_MODULE != E2E_SETTINGS:
        problems.append(
            f"Browser tests run with DJANGO_SETTINGS_MODULE={E2E_SETTINGS} (now {settings.SETTINGS_MODULE}); "
            "`make test-e2e` sets it."
        )
    problems += missing_services(tests="Browser tests", make="make test-e2e", redis_url="redis://127.0.0.1:6379/14")
    chromium, driver = browser_binaries()
    if not chromium or not os.access(chromium, os.X_OK):
        problems.append(f"Chromium is not installed (or set CHROMIUM=/path/to/chromium). Install it: {INSTALL_BROWSER}")
    if not driver or not os.access(driver, os.X_OK):
        problems.append(
            f"chromedriver is not installed (or set CHROMEDRIVER=/path/to/chromedriver). Install it: {INSTALL_BROWSER}"
        )
    return problems


def pytest_collection_finish(session):
    if not any(item.get_closest_marker("e2e") for item in session.items):
        return
    problems = _missing()
    if problems:
        pytest.exit("Browser tests cannot run:\n  " + "\n  ".join(problems), returncode=3)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Kept on the item so that the browser fixture knows, while tearing down, whether the test failed.
    report = yield
    setattr(item, f"e2e_report_{report.when}", report)
    return report


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """daphne (as the Procfile starts it) and a Celery worker, on the run's database and Redis."""

    def __init__(self, logs: Path):
        from django.db import connection

        self.logs = logs
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        db = connection.settings_dict
        user = quote(db["USER"] or "", safe="")
        password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
        self.database_url = f"postgres://{user}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
        self.worker_name = f"e2e-{os.environ['CHENGXIN_E2E_RUN']}@{socket.gethostname()}"
        self.processes: dict[str, subprocess.Popen] = {}

    def env(self) -> dict:
        env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
        env.update(
            DJANGO_SETTINGS_MODULE=E2E_SETTINGS,
            DATABASE_URL=self.database_url,
            REDIS_URL=settings.REDIS_URL,
            PYTHONPATH=str(ROOT),
            LOG_LEVEL="WARNING",
        )
        return env

    def page(self, path: str) -> str:
        return self.url + path

    def _spawn(self, name: str, command: list[str]) -> None:
        with open(self.logs / f"{name}.log", "wb") as log:  # the child keeps its own copy
            self.processes[name] = subprocess.Popen(
                command, cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT
            )

    def start(self) -> "Server":
        bin_dir = Path(sys.executable).parent
        daphne = [str(bin_dir / "daphne")] if (bin_dir / "daphne").exists() else [sys.executable, "-m", "daphne"]
        self._spawn("daphne", [*daphne, "-b", "127.0.0.1", "-p", str(self.port), "config.asgi:application"])
        self._spawn("worker", [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            "-Q", settings.CELERY_TASK_DEFAULT_QUEUE, "-n", self.worker_name,
        ])  # fmt: skip
        try:
            self._wait_until_healthy()
            self._wait_for_worker()
        except Exception:
            self.stop()
            raise
        return self

    def _check_running(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{self.log_tail(name)}")

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        last = ""
        while time.monotonic() < deadline:
            self._check_running()
            try:
                with urllib.request.urlopen(self.page("/healthz"), timeout=5) as response:
                    if response.status == 200:
                        return
            except urllib.error.HTTPError as exc:
                last = exc.read().decode(errors="replace")
                if '"pending": ["' in last:  # the code has migrations the database has not: waiting won't help
                    raise RuntimeError(f"daphne finds migrations not applied to the run's database: {last}") from None
            except OSError as exc:
                last = repr(exc)
            time.sleep(0.2)
        raise RuntimeError(f"daphne did not answer /healthz with 200 in {START_SECONDS} s ({last}):\n{self.log_tail()}")

    def _wait_for_worker(self) -> None:
        from config.celery import app

        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            self._check_running()
            if app.control.ping(destination=[self.worker_name], timeout=0.5):
                return
        raise RuntimeError(f"the Celery worker did not answer in {START_SECONDS} s:\n{self.log_tail('worker')}")

    def manage(self, *args: str, timeout: float = 120) -> str:
        """Run `manage.py <args>` on the server's database and Redis; returns its output."""
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env(), capture_output=True, text=True,
            timeout=timeout,
        )  # fmt: skip
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} exited with {done.returncode}:\n{done.stderr}")
        return done.stdout

    def log_tail(self, name: str | None = None, lines: int = 60) -> str:
        names = [name] if name else sorted(self.processes)
        parts = []
        for each in names:
            path = self.logs / f"{each}.log"
            text = path.read_text(errors="replace").splitlines()[-lines:] if path.exists() else []
            parts.append(f"--- {each} ({path})\n" + "\n".join(text))
        return "\n".join(parts)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


def _forget_run_keys() -> None:
    """Drop what the run left in Redis under its own names (the queue and its bindings, cache keys)."""
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2)
    run = os.environ["CHENGXIN_E2E_RUN"]
    with contextlib.suppress(redis.RedisError):
        for key in client.scan_iter(match=f"*e2e*{run}*", count=500):
            client.delete(key)


@pytest.fixture(scope="session")
def e2e_artifacts(request):
    """var/e2e/<run>/: the servers' logs, and each failed test's screenshots; kept when a test failed."""
    path = ROOT / "var" / "e2e" / os.environ["CHENGXIN_E2E_RUN"]
    path.mkdir(parents=True, exist_ok=True)
    yield path
    if not request.session.testsfailed:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def django_db_setup(django_db_blocker):
    """The run's database, made and migrated once, dropped at the end (these tests use no
    transaction per test: the server must see what they write)."""
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        databases = setup_databases(verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set())
    yield
    with django_db_blocker.unblock():
        teardown_databases(databases, verbosity=0)


@pytest.fixture(scope="session")
def e2e_server(django_db_setup, django_db_blocker, e2e_artifacts):
    from django.core.management import call_command

    try:
        with django_db_blocker.unblock():
            call_command("seed_demo", stdout=io.StringIO())
        server = Server(e2e_artifacts).start()
        yield server
        server.stop()
    finally:
        _forget_run_keys()
        shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


@pytest.fixture
def orm(e2e_server, django_db_blocker):
    with django_db_blocker.unblock():
        yield


# --- browsers --------------------------------------------------------------------------------


class Browser:
    """One browser of its own: a separate WebDriver session with its own profile, cookies and live socket."""

    def __init__(self, server: Server, name: str):
        self.server = server
        self.name = name
        self.profile = tempfile.mkdtemp(prefix="chengxin-e2e-profile-")
        chromium, driver = browser_binaries()
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for flag in CHROME_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={self.profile}")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(driver, log_output=subprocess.DEVNULL), options=options)
        self.driver.set_page_load_timeout(60)
        self.driver.set_script_timeout(30)
        self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": LIVE_PROBE})

    # -- waiting

    def wait_until(self, condition, message: str = "", timeout: float = WAIT_SECONDS):
        """Poll `condition(driver)` every 0.1 s until it returns something true (returned) or time is up.

        An error from the browser while polling counts as "not yet": between two documents an
        element of the old one is stale, or "does not belong to the document", and a script may
        find no document at all. The last such error is told if time runs out."""
        errors: list[WebDriverException] = []

        def attempt(driver):
            try:
                return condition(driver)
            except WebDriverException as exc:
                errors[:] = [exc]
                return False

        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(attempt)
        except TimeoutException:
            last = f"; last error: {errors[0].msg}" if errors else ""
            raise AssertionError(
                f"[{self.name}] after {timeout:g} s, still not: {message or condition} "
                f"(at {self.driver.current_url}){last}"
            ) from None

    def wait_for(self, css: str, text: str | None = None, timeout: float = WAIT_SECONDS):
        """The first visible element matching `css` (and containing `text`), once there is one."""

        def found(driver):
            for element in driver.find_elements(By.CSS_SELECTOR, css):
                if element.is_displayed() and (text is None or text in element.text):
                    return element
            return False

        return self.wait_until(found, f"a visible {css!r}" + (f" containing {text!r}" if text else ""), timeout)

    def _wait_for_next_page(self, token: str) -> None:
        """Wait until a new document (one without `token`) has loaded."""
        self.wait_until(
            lambda d: d.execute_script(
                "return window.__e2eNavigation !== arguments[0] && document.readyState === 'complete';", token
            ),
            "the next page",
        )

    # -- acting

    def visit(self, path: str) -> "Browser":
        self.driver.get(self.server.page(path))
        return self

    def login(self, username: str, password: str | None = None) -> "Browser":
        from cases.demo.loader import DEMO_PASSWORD

        self.visit("/accounts/login/")
        self.fill("#id_username", username)
        self.fill("#id_password", password or DEMO_PASSWORD)
        self.click("main form button[type=submit]")
        if "/accounts/login/" in self.driver.current_url:
            raise AssertionError(f"[{self.name}] {username} could not log in: {self.find('main').text}")
        if "/accounts/two-factor/verify/" in self.driver.current_url:
            self.fill("#id_token", self._demo_code(username))
            self.click("main form button[type=submit]")
            if "/accounts/two-factor/" in self.driver.current_url:
                raise AssertionError(f"[{self.name}] {username}'s code was refused: {self.find('main').text}")
        self.name = username
        return self

    _code_steps: dict = {}  # user name -> the last time step whose code was typed (each is taken once)

    @classmethod
    def _demo_code(cls, username: str) -> str:
        """The code the demo staff's authenticator app shows (cases.demo.loader.DEMO_TOTP_SECRET)."""
        import base64

        from django_otp.oath import TOTP

        from cases.demo.loader import DEMO_TOTP_SECRET

        totp = TOTP(base64.b32decode(DEMO_TOTP_SECRET))
        last = cls._code_steps.get(username, -1)
        # Each code is taken once and the server accepts one step ahead at the most: a third
        # sign-in of the same person within one step waits for the next step.
        while last > totp.t():
            time.sleep(0.5)
        step = max(totp.t(), last + 1)
        cls._code_steps[username] = step
        totp.time = step * totp.step
        return f"{totp.token():06d}"

    def find(self, css: str):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str) -> list:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def fill(self, css: str, value: str) -> None:
        field = self.wait_for(css)
        field.clear()
        field.send_keys(value)

    def upload(self, css: str, path: Path | str) -> None:
        """Choose a file in a file input (file inputs take the path typed into them)."""
        self.wait_until(lambda d: d.find_element(By.CSS_SELECTOR, css), f"the file input {css!r}").send_keys(str(path))

    def click(self, css: str, text: str | None = None, *, navigates: bool | None = None) -> None:
        """Click the element; when the click leaves the page (a link, a form's submit button, or
        `navigates=True`), wait until the next page has loaded."""
        element = self.wait_for(css, text)
        self.wait_until(lambda d: element.is_enabled(), f"{css!r} enabled")
        if navigates is None:
            navigates = self._navigates(element)
        token = os.urandom(6).hex()
        self.driver.execute_script("window.__e2eNavigation = arguments[0];", token)
        element.click()
        if navigates:
            self._wait_for_next_page(token)

    @staticmethod
    def _navigates(element) -> bool:
        tag = element.tag_name.lower()
        if tag == "a":
            return bool(element.get_attribute("href"))
        return tag in ("button", "input") and (element.get_attribute("type") or "submit").lower() == "submit"

    # -- what the user sees

    def wait_live(self) -> None:
        """Wait until this page's live socket has connected and received its greeting."""
        self.wait_until(
            lambda d: d.execute_script("return !!(window.__e2eLive && window.__e2eLive.received.includes('hello'))"),
            "the page's live connection",
        )

    def unread_count(self) -> int:
        return int(self.find("#unread-count").text.strip() or 0)

    def toasts(self) -> list[str]:
        """The toasts on the page now."""
        return [toast.text for toast in self.find_all("#toasts .toast")]

    def toasts_shown(self) -> list[str]:
        """Every toast this page has shown since it loaded, faded ones too."""
        return self.driver.execute_script("return window.__e2eLive ? window.__e2eLive.toasts.slice() : [];")

    def wait_for_toast(self, text: str, timeout: float = WAIT_SECONDS) -> str:
        """The text of the first toast shown on this page that contains `text`, once there is one."""
        return self.wait_until(
            lambda _: next((toast for toast in self.toasts_shown() if text in toast), False),
            f"a toast containing {text!r} (shown: {self.toasts_shown()})",
            timeout,
        )

    def mark_page(self) -> str:
        """Mark the current document; same_page() is true until the page is reloaded or left."""
        token = os.urandom(6).hex()
        self.driver.execute_script("window.__e2ePage = arguments[0];", token)
        return token

    def same_page(self, token: str) -> bool:
        return self.driver.execute_script("return window.__e2ePage || null;") == token

    def screenshot(self, path: Path | str) -> None:
        self.driver.save_screenshot(str(path))

    def save_artifacts(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(Exception):
            self.screenshot(folder / f"{self.name}.png")
            (folder / f"{self.name}.html").write_text(self.driver.page_source, encoding="utf-8")
            console = "\n".join(f"{e['level']} {e['message']}" for e in self.driver.get_log("browser"))
            (folder / f"{self.name}.console.log").write_text(console, encoding="utf-8")

    def quit(self) -> None:
        with contextlib.suppress(Exception):
            self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture
def browser(e2e_server, e2e_artifacts, request):
    opened: list[Browser] = []

    def open_browser(username: str | None = None) -> Browser:
        new = Browser(e2e_server, name=username or f"browser{len(opened) + 1}")
        opened.append(new)
        if username:
            new.login(username)
        return new

    yield open_browser
    failed = any(
        getattr(request.node, f"e2e_report_{when}", None) and getattr(request.node, f"e2e_report_{when}").failed
        for when in ("setup", "call")
    )
    for each in opened:
        if failed:
            each.save_artifacts(e2e_artifacts / request.node.name)
        each.quit()
    if failed:
        print(f"Screenshots and pages: {e2e_artifacts / request.node.name}\n{e2e_server.log_tail()}")
