"""50 people at once on the production stack for 60 s, then the web process's memory over 50,000 requests.

    python bench/load.py [--users 50] [--seconds 60] [--memory-requests 50000] [--applications 25]
                         [--pace 0.5 2] [--smoke]

Starts what the Procfile runs, with the production settings (config.settings.production, the
connection pool on; HTTPS redirect off, there is no TLS proxy on loopback): daphne, a Celery worker
and Celery beat, on a fresh PostgreSQL database of its own (chengxin_load) and Redis db 14. Seeds the
demo data plus 25 (`--applications`) enterprise accounts with a submitted credit-repair application
each, 15 caseworkers and 10 supervisors; each simulated person logs in once as an account of their
own, staff then pass the second factor with the code of an authenticator app (a key made for the
run). A page that sends a person to the sign-in or second-factor step instead counts as an error.

Load: locust users mixing applicants (my records, my applications, my complaints, filing a
complaint), caseworkers (both queues, an application page, claim then release) and supervisors
(the deadline board, the orders, issuing an order), each pausing 0.5–2 s (`--pace`) between steps.
Prints p95 per page type and the errors (any failure; the goal is 0). A claim that another
caseworker won a moment earlier goes back to the queue with a message saying who holds the case:
counted apart, as the outcome it is.

Memory: the same people without pauses and reading only (so that no page grows as the run goes
on): after 5,000 requests of warm-up at that pace, daphne's resident memory at the start and at
the end of the next 50,000 requests (goal: growth < 10%).

daphne listens on a free port the OS gives. Exits 1 if there was any error (a failed request, or
an exception in a simulated person's step) or the memory grew by 10% or more. `--smoke` runs the
same at a small size (chengxin_load_smoke, a few people for a few seconds, a few hundred requests
for the memory part).
"""

# locust patches the standard library for gevent: before anything else is imported.
from locust import HttpUser, task  # isort: skip
from locust.env import Environment  # isort: skip

import argparse
import functools
import http.cookiejar
import itertools
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import gevent
import psutil
import psycopg
import redis
from _setup import PG, ROOT, check_alive, database_name, free_port, parse_args
from django_otp.oath import totp

DB_NAME = os.environ.get("BENCH_LOAD_DB", "chengxin_load")
REDIS_URL = os.environ.get("BENCH_LOAD_REDIS_URL", "redis://127.0.0.1:6379/14")
PORT = free_port()
PASSWORD = "chengxin-demo"
TOTP_KEY = os.urandom(20).hex()  # the staff accounts' authenticator app (one key for the run)

SEED = r"""
import json, sys
from datetime import date
import django
django.setup()
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from cases.accounts import services as identity_services
from cases.repair import services as repair_services
from cases.core import services
from cases.records import services as record_services
from cases.core.identifiers import uscc_check_character
from cases.core.models import Case, Department, User
from cases.core.roles import Role, grant_role
from django_otp.plugins.otp_totp.models import TOTPDevice

call_command("seed_demo", verbosity=0)
password = make_password(sys.argv[1])
scjg, yshj = Department.objects.get(code="scjg"), Department.objects.get(code="yshj")
registrar = User.objects.get(username="banli")
clerk = User.objects.get(username="dengji")


def account(username, role, **fields):
    user = User.objects.create(username=username, full_name=username, password=password, **fields)
    grant_role(user, role)
    if role != Role.APPLICANT:  # staff pass a second factor: an authenticator app with the run's key
        TOTPDevice.objects.create(user=user, name="load authenticator app", key=sys.argv[3], confirmed=True)
    return user


applications = []
for n in range(int(sys.argv[2])):
    first17 = f"916207020000{n:05d}"
    entity = account(f"load-qiye-{n}", Role.APPLICANT, entity_kind="enterprise", entity_name=f"压测企业{n}有限公司",
                     id_number=first17 + uscc_check_character(first17), phone=f"139{n:08d}")
    # Verified at the counter (实名认证), as a real applicant must be before acting for the enterprise.
    identity_services.bind_at_counter(actor=clerk, username=entity.username, kind="enterprise",
                                      id_number=entity.id_number, name=entity.entity_name, role="legal_representative")
    record = record_services.register_credit_record(actor=registrar, data={
        "party_kind": "enterprise", "party_name": entity.entity_name, "party_id_number": entity.id_number,
        "record_type": "penalty", "decision_number": f"甘市监罚〔2025〕{1000 + n}号", "decided_on": date(2025, 3, 2),
        "severity": "general", "summary": "未按规定公示年度报告，罚款 2000 元"})
    application = repair_services.start_application(actor=entity, record_id=record.pk, statement="已缴清罚款")
    for item in repair_services.required_materials(record):
        upload = SimpleUploadedFile(f"{item['code']}.pdf", b"%PDF-1.4 load", content_type="application/pdf")
        repair_services.add_material(actor=entity, application_id=application.pk, code=item["code"], upload=upload)
    repair_services.submit(actor=entity, application_id=application.pk, obligations_fulfilled=True,
                           commitment_signed=True)
    applications.append({"case": application.case_id, "number": application.case.number})
for n in range(15):
    account(f"load-banli-{n}", Role.CASEWORKER, department=scjg, email=f"banli{n}@example.org")
for n in range(10):
    account(f"load-duban-{n}", Role.SUPERVISOR, department=yshj, email=f"duban{n}@example.org")
# What the supervisors order on: cases nothing closes during the run (the worker may still be
# finishing the demo history, e.g. syncing and closing the decided repair).
open_cases = [a["case"] for a in applications] + list(
    Case.objects.filter(kind="complaint", state="in_progress").values_list("pk", flat=True))
json.dump({"applications": applications, "open_cases": open_cases}, sys.stdout)
"""


def production_env(media: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="bench-load-" + "k" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"{PG}/{DB_NAME}",
        REDIS_URL=REDIS_URL,
        MEDIA_ROOT=media,
        LOG_LEVEL="WARNING",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        SMS_BACKEND="notifications.sms.ConsoleSmsBackend",
        PYTHONPATH=str(ROOT),
    )
    return env


def manage(env: dict, what: str, *args: str) -> str:
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    if done.returncode:
        sys.exit(f"{what} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def static_is_current() -> bool:
    """collectstatic (hashing and compressing every file) takes minutes: skip it when the manifest
    is newer than every file of ours under static/."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return False
    newest = max(path.stat().st_mtime for path in (ROOT / "static").rglob("*") if path.is_file())
    return manifest.stat().st_mtime > newest


def prepare(env: dict, applications: int) -> dict:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    redis.Redis.from_url(REDIS_URL).flushdb()  # this benchmark's own db number
    manage(env, "migrate", "manage.py", "migrate", "--noinput", "-v", "0")
    if not static_is_current():
        manage(env, "collectstatic", "manage.py", "collectstatic", "--noinput", "-v", "0")
    seeded = manage(env, "seeding", "-c", SEED, PASSWORD, str(applications), TOTP_KEY)
    return json.loads(seeded[seeded.index('{"applications"') :])


class Stack:
    """The Procfile's three processes, production settings."""

    def __init__(self, env: dict):
        self.env = env
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self) -> None:
        bin_ = Path(sys.executable).parent
        commands = {
            "web": [str(bin_ / "daphne"), "-b", "127.0.0.1", "-p", str(PORT), "config.asgi:application"],
            "worker": [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING"],
            "beat": [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=WARNING"],
        }  # fmt: skip
        for name, command in commands.items():
            log = open(os.path.join(self.env["MEDIA_ROOT"], f"{name}.log"), "w")  # noqa: SIM115
            self.processes[name] = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=log,
                                                    start_new_session=True)  # fmt: skip
        import urllib.request

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        sys.exit("daphne did not answer /healthz within 60 s")

    def check_alive(self) -> None:
        check_alive(self.processes)

    def show_logs(self) -> None:
        for name in self.processes:
            tail = Path(self.env["MEDIA_ROOT"], f"{name}.log").read_text(errors="replace")[-3000:].strip()
            if tail:
                print(f"--- {name}, the end of its log:\n{tail}", file=sys.stderr)

    @property
    def web(self) -> psutil.Process:
        return psutil.Process(self.processes["web"].pid)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


# The production cookies (session, CSRF) are Secure; on loopback there is no TLS, so this client
# sends them over plain HTTP anyway (requests copies the session's jar into a fresh default-policy
# jar for each request, so the policy is changed for the class).
http.cookiejar.DefaultCookiePolicy.return_ok_secure = lambda self, cookie, request: True

print = functools.partial(print, flush=True)

SEEDED: dict = {}
PACE = [0.5, 2.0]  # seconds between steps (--pace); 0 for the memory run
WRITES = [True]  # the memory run only reads, so that every page keeps its size
CLAIM_CONFLICTS = [0]
TOKEN = re.compile(r'name="token" value="([0-9a-f]+)"')


class Person(HttpUser):
    abstract = True
    accounts: itertools.count
    second_factor = False  # staff pass one after the password

    def wait_time(self):
        return random.uniform(*PACE)

    def on_start(self):
        self.client.get("/accounts/login/", name="login page")
        username = self.account()
        response = self.client.post(
            "/accounts/login/", {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf()},
            name="log in", allow_redirects=False,
        )  # fmt: skip
        if response.status_code != 302:
            raise RuntimeError(f"{username} could not log in: {response.status_code}")
        if self.second_factor:
            self.pass_second_factor(username)

    def pass_second_factor(self, username: str) -> None:
        """The step after the password for staff: the code their app shows now (or the next
        one, within the step's tolerance, if another person on the same account took this one)."""
        for ahead in (0, 1):
            code = f"{totp(bytes.fromhex(TOTP_KEY), drift=ahead):06d}"
            response = self.client.post(
                "/accounts/two-factor/verify/", {"token": code, "csrfmiddlewaretoken": self.csrf()},
                name="second factor", allow_redirects=False,
            )  # fmt: skip
            if response.status_code == 302:
                return
        raise RuntimeError(f"{username} could not pass the second factor: {response.status_code}")

    def get(self, path: str, name: str):
        """A page. Sent to the sign-in or second-factor step instead is a failure (the person's
        session no longer opens it), not the login page counted as the page."""
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.history and urlsplit(response.url).path.startswith("/accounts/"):
                response.failure(f"sent to {urlsplit(response.url).path}")
            return response

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def post(self, path: str, name: str, data: dict | None = None, expect=(302,)):
        data = {**(data or {}), "csrfmiddlewaretoken": self.csrf()}
        with self.client.post(path, data, name=name, allow_redirects=False, catch_response=True) as response:
            sent_to = urlsplit(response.headers.get("Location", "")).path
            if sent_to.startswith("/accounts/"):  # to the sign-in or second-factor step: not done
                response.failure(f"sent to {sent_to}")
            elif response.status_code in expect:
                response.success()
            else:
                response.failure(f"{response.status_code}")
            return response


class Applicant(Person):
    weight = 5
    numbers = itertools.count()

    def account(self) -> str:
        self.index = next(Applicant.numbers) % len(SEEDED["applications"])
        return f"load-qiye-{self.index}"

    @task(3)
    def my_records(self):
        self.get("/my/records/", "applicant: my records")

    @task(3)
    def my_applications(self):
        self.get("/my/applications/", "applicant: my applications")
        number = SEEDED["applications"][self.index]["number"]
        self.get(f"/repair/{number}/", "applicant: application page")

    @task(2)
    def my_complaints(self):
        self.get("/my/complaints/", "applicant: my complaints")

    @task(1)
    def file_complaint(self):
        form = self.get("/complaints/new/", "applicant: complaint form")
        token = TOKEN.search(form.text)
        if not token or not WRITES[0]:
            return
        data = {"token": token.group(1), "respondent": "区某街道办事处", "subject": "arrears",
                "facts": "道路维修工程款至今未付。", "amount_claimed": "86000",
                "contact_name": "王经理", "contact_phone": "13812345678"}  # fmt: skip
        response = self.post("/complaints/new/", "applicant: file a complaint", data)
        if response.status_code == 302:
            self.get(response.headers["Location"], "applicant: complaint page")


class Caseworker(Person):
    weight = 3
    second_factor = True
    numbers = itertools.count()

    def account(self) -> str:
        return f"load-banli-{next(Caseworker.numbers) % 15}"

    @task(3)
    def repair_queue(self):
        self.get("/repair/queue/", "caseworker: repair queue")

    @task(2)
    def complaint_queue(self):
        self.get("/complaints/", "caseworker: complaint queue")

    @task(3)
    def claim_work_release(self):
        application = random.choice(SEEDED["applications"])
        self.get(f"/repair/{application['number']}/", "caseworker: application page")
        if not WRITES[0]:
            return
        claimed = self.post(f"/cases/{application['case']}/claim/", "caseworker: claim")
        # Won or lost, the claim goes back to the queue; one that another caseworker had just won
        # says who holds the case there, as an error message.
        queue = self.get(urlsplit(claimed.headers.get("Location", "")).path or "/repair/queue/",
                         "caseworker: repair queue")  # fmt: skip
        if 'role="alert"' in queue.text:
            CLAIM_CONFLICTS[0] += 1
            return
        self.post(f"/cases/{application['case']}/release/", "caseworker: release")


class Supervisor(Person):
    weight = 2
    second_factor = True
    numbers = itertools.count()

    def account(self) -> str:
        return f"load-duban-{next(Supervisor.numbers) % 10}"

    @task(3)
    def board(self):
        self.get("/supervision/", "supervisor: deadline board")

    @task(2)
    def orders(self):
        self.get("/supervision/orders/", "supervisor: orders")

    @task(1)
    def issue_order(self):
        if not WRITES[0]:
            return self.board()
        case = random.choice(SEEDED["open_cases"])
        # Sent from the order form (text, working days to answer); a case whose order is still open
        # refuses a second one with 409 and its reason on the form, the outcome it is.
        self.post(f"/supervision/cases/{case}/order/", "supervisor: issue an order",
                  {"reason": "请于期限内答复。", "respond_within": "3", "action": "send"},
                  expect=(302, 409))  # fmt: skip


def table(stats) -> tuple[list[str], int, int]:
    lines, requests, failures = [], 0, 0
    for (name, method), entry in sorted(stats.entries.items()):
        if not entry.num_requests:
            continue
        requests += entry.num_requests
        failures += entry.num_failures
        p50, p95 = entry.get_response_time_percentile(0.5), entry.get_response_time_percentile(0.95)
        lines.append(
            f"  {name:<34} {method:<5} {entry.num_requests:>7} {entry.num_failures:>6} {p50:>7.0f} {p95:>7.0f}"
        )
    return lines, requests, failures


def exceptions(runner) -> tuple[int, list[str]]:
    """What locust caught in the people's steps (an exception in a task or in logging in is logged
    and the person goes on, or stops): counted as errors, with a line each."""
    rows = runner.exceptions.values()
    return sum(row["count"] for row in rows), [f"  error: exception: {row['msg']} × {row['count']}" for row in rows]


def run(users: int, seconds: int, memory_requests: int, stack: Stack) -> int:
    env = Environment(user_classes=[Applicant, Caseworker, Supervisor], host=f"http://127.0.0.1:{PORT}")
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=10)
    login_seconds = 30 + 3 * users  # PBKDF2 on a busy machine: a few seconds each at 50 people
    deadline = time.monotonic() + login_seconds
    while runner.user_count < users or env.stats.get("log in", "POST").num_requests < users:
        if runner.exceptions or time.monotonic() > deadline:  # someone could not log in: they stopped
            runner.quit()
            print(f"not every person logged in within {login_seconds} s:", *exceptions(runner)[1], sep="\n")
            return 1
        gevent.sleep(0.5)
    logins = env.stats.get("log in", "POST")
    print(f"{users} people logged in (log in p95 {logins.get_response_time_percentile(0.95):.0f} ms); "
          f"measuring {seconds} s")  # fmt: skip
    env.stats.reset_all()
    CLAIM_CONFLICTS[0] = 0
    gevent.sleep(seconds)
    stack.check_alive()
    lines, requests, failures = table(env.stats)
    raised, raised_lines = exceptions(runner)
    failures += raised
    print(f"\nLoad: {users} people, {seconds} s, {requests} requests ({requests / seconds:.1f}/s)")
    print(f"  {'page type':<34} {'':<5} {'count':>7} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7}")
    print("\n".join(lines))
    print(f"  errors: {failures}; claims that another caseworker had just won (told on the queue): "
          f"{CLAIM_CONFLICTS[0]}")  # fmt: skip
    for error in env.stats.errors.values():
        print(f"  error: {error.method} {error.name}: {error.error} × {error.occurrences}")
    print(*raised_lines, sep="\n", end="\n" if raised_lines else "")

    # Memory: the same people without pauses, reading only; measured from the end of a warm-up at
    # that pace (more requests in flight at once than above) to 50,000 requests later.
    PACE[:], WRITES[0] = [0, 0], False
    env.stats.reset_all()
    warm_up = min(5000, memory_requests // 10)
    while env.stats.total.num_requests < warm_up:
        gevent.sleep(1)
    warm_up_failures = env.stats.total.num_failures
    env.stats.reset_all()
    web = stack.web
    start_rss = web.memory_info().rss
    samples = [(0, start_rss)]
    started = time.monotonic()
    while env.stats.total.num_requests < memory_requests:
        gevent.sleep(2)
        samples.append((env.stats.total.num_requests, web.memory_info().rss))
    runner.quit()
    stack.check_alive()
    elapsed = time.monotonic() - started
    end_rss = web.memory_info().rss
    growth = (end_rss - start_rss) / start_rss * 100
    memory_raised, raised_lines = exceptions(runner)
    memory_failures = env.stats.total.num_failures + warm_up_failures + memory_raised - raised
    done = env.stats.total.num_requests
    print(f"\nMemory of the web process (daphne) over {done} requests in {elapsed:.0f} s ({done / elapsed:.0f}/s), "
          f"after {warm_up} requests of warm-up at that pace:")  # fmt: skip
    shown = samples[:: max(1, len(samples) // 8)]
    for count, rss in shown + ([samples[-1]] if shown[-1] != samples[-1] else []):
        print(f"  after {count:>6} requests: {rss / 2**20:6.1f} MiB")
    print(f"  start {start_rss / 2**20:.1f} MiB, end {end_rss / 2**20:.1f} MiB: growth {growth:+.1f}% (goal < 10%); "
          f"errors {memory_failures}")  # fmt: skip
    for error in env.stats.errors.values():
        print(f"  error: {error.method} {error.name}: {error.error} × {error.occurrences}")
    if memory_raised > raised:  # the lines of both parts: locust keeps one count per exception
        print(*raised_lines, sep="\n")
    ok = failures == 0 and memory_failures == 0 and growth < 10
    print("\nresult:", "ok" if ok else "FAILED")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--memory-requests", type=int, default=50_000)
    parser.add_argument(
        "--applications", type=int, default=25, help="enterprise accounts, each with a submitted application"
    )
    parser.add_argument(
        "--pace", type=float, nargs=2, default=PACE, metavar=("MIN", "MAX"), help="seconds between a person's steps"
    )
    # Smoke: fast steps, so that in a few seconds every kind of step is taken (claims, orders, complaints).
    args = parse_args(parser, users=6, seconds=5, memory_requests=200, applications=4, pace=[0.05, 0.2])
    PACE[:] = args.pace
    global DB_NAME
    DB_NAME = database_name(DB_NAME)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))  # still stop the stack below
    with tempfile.TemporaryDirectory(prefix="chengxin-load-") as media:
        env = production_env(media)
        print(f"Preparing {DB_NAME} (migrate, collectstatic, demo data and load accounts)…", flush=True)
        SEEDED.update(prepare(env, args.applications))
        stack = Stack(env)
        try:
            stack.start()
            print(f"daphne, Celery worker and beat up on :{PORT} (production settings)", flush=True)
            status = run(args.users, args.seconds, args.memory_requests, stack)
        except BaseException:
            stack.show_logs()
            raise
        finally:
            stack.stop()
        if status:
            stack.show_logs()
        return status


if __name__ == "__main__":
    sys.exit(main())
