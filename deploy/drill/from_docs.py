"""The installation drill: docs/operations.md's `sh install` blocks, run as written, then production
checked through nginx.

    python deploy/drill/from_docs.py [--keep] [--report FILE]

Run as root (the document is: apt-get, adduser, runuser). What the drill changes, and nothing else:

- the values block (the first `sh install` block): `ROOT` becomes a temporary folder, the ports
  become free ones of this machine, `REPOSITORY`/`RELEASE` a snapshot of this work tree (uncommitted
  changes included), `TLS_CERT`/`TLS_KEY` a certificate it signs with a CA of its own, `REDIS` its
  own Redis. A name the drill sets that the block does not define fails the drill;
- what the Debian packages' post-install does on a real host, right after the `apt-get install`
  block: a PostgreSQL cluster of its own (peer auth for local `postgres`, passwords over TCP, as
  Debian's), a Redis, and nginx's packaged configuration copied under `$ROOT/etc/nginx` (default
  site included) with a master process running it;
- no systemd here: `systemctl` is a stand-in that reads the installed unit files
  (`$ROOT/etc/systemd/system/*.service`: ExecStart, User, Group, WorkingDirectory, EnvironmentFile)
  and starts exactly that command as that user (runuser) with only that environment; `nginx` is the
  real binary pointed at `$ROOT/etc/nginx/nginx.conf`;
- the passwords `changepassword` asks for are typed into a terminal (the script runs on a pty).

Then it checks, over HTTPS through nginx, verified against its own CA: /healthz (worker and beat
alive), plain HTTP redirected, /admin/ refused outside the allow-list, a staff sign-in with the
second factor, a work order signed as the README says becoming a case, and the clerk's websocket
(wss:// through nginx's /ws/) receiving its notification. Exit status 0 when all passed; the
report (JSON) says what each check saw.
"""

import argparse
import base64
import configparser
import contextlib
import hashlib
import hmac
import http.client
import json
import os
import pty
import re
import select
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "operations.md"
DOMAIN = "credit.example.gov.cn"
PASSWORD = "Drill-passw0rd-2026!"
# pip and collectstatic (WhiteNoise compresses ~130 MB of static files) are most of it: minutes on
# an idle two-core machine, far more on a busy one.
INSTALL_SECONDS = int(os.environ.get("DRILL_INSTALL_SECONDS", "2700"))
SERVICE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


# --- the document ---------------------------------------------------------------------------------


def install_blocks(text: str) -> list[tuple[int, str]]:
    """(line number, body) of each ```sh install block, in document order."""
    blocks = []
    for match in re.finditer(r"^```sh install\n(.*?)^```", text, re.S | re.M):
        blocks.append((text.count("\n", 0, match.start()) + 1, match.group(1)))
    return blocks


def with_values(block: str, values: dict[str, str]) -> str:
    """The values block with the drill's values in place of the production ones."""
    missing = set(values)
    lines = []
    for line in block.splitlines():
        assignments = re.findall(r"(?:^|\s)([A-Z_]+)=(\S*)", line.split("#", 1)[0])
        for name, _value in assignments:
            if name in values:
                missing.discard(name)
                line = re.sub(rf"(^|\s){name}=\S*", lambda m, n=name: f"{m.group(1)}{n}={shlex.quote(values[n])}",
                              line)  # fmt: skip
        lines.append(line)
    if missing:
        raise SystemExit(f"the values block defines no {', '.join(sorted(missing))}")
    return "\n".join(lines) + "\n"


def script(blocks: list[tuple[int, str]], values: dict[str, str], hook: str) -> str:
    parts = ["set -euo pipefail\n"]
    for index, (line, body) in enumerate(blocks):
        parts.append(f"echo '>>> docs/operations.md line {line}'\n")
        parts.append(with_values(body, values) if index == 0 else body)
        if re.search(r"^apt-get install", body, re.M):
            parts.append(f"{hook} provision\n")
    parts.append("echo '>>> all blocks done'\n")
    return "".join(parts)


# --- the machine ------------------------------------------------------------------------------------


PORT_BASE = int(os.environ.get("DRILL_PORT_BASE", "0"))  # 0: any free port the system gives
_taken: set[int] = set()


def free_port() -> int:
    """A port nothing listens on: from DRILL_PORT_BASE upwards when it is set."""
    for port in range(PORT_BASE, PORT_BASE + 100) if PORT_BASE else [0] * 10:
        with socket.socket() as probe, contextlib.suppress(OSError):
            probe.bind(("127.0.0.1", port))
            chosen = probe.getsockname()[1]
            if chosen not in _taken:
                _taken.add(chosen)
                return chosen
    raise RuntimeError("no free port")


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True, **kwargs)


class Machine:
    """The host's services, kept in a state file so that the `systemctl` stand-in (another process)
    finds them."""

    def __init__(self, state: Path):
        self.state_file = state
        self.s = json.loads(state.read_text())
        self.root = Path(self.s["root"])

    def save(self):
        self.state_file.write_text(json.dumps(self.s, indent=1))

    def pg_bin(self, name: str) -> str:
        return sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))[-1].as_posix()

    def provision(self):
        """What apt-get's post-install starts on a real host: PostgreSQL, Redis, nginx."""
        data = self.root / "var/lib/postgresql/data"
        data.parent.mkdir(parents=True, exist_ok=True)
        shutil.chown(data.parent, "postgres", "postgres")
        as_pg = ["runuser", "-u", "postgres", "--"]
        run(*as_pg, self.pg_bin("initdb"), "-D", data, "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8",
            "--auth-local=peer", "--auth-host=scram-sha-256", "--no-sync")  # fmt: skip
        options = f"-p {self.s['pg_port']} -k /var/run/postgresql -c listen_addresses=127.0.0.1 -c fsync=off"
        run(*as_pg, self.pg_bin("pg_ctl"), "-D", data, "-o", options, "-l", data.parent / "log", "-w", "start")
        self.s["pg_data"] = str(data)
        redis = subprocess.Popen(
            ["redis-server", "--port", str(self.s["redis_port"]), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        self.s["redis_pid"] = redis.pid
        self._nginx_tree()
        self.save()
        self.nginx("-q")  # started, with Debian's default site, as the package leaves it

    def _nginx_tree(self):
        """Debian's /etc/nginx under $ROOT, its paths and ports moved the way `localize` moves ours."""
        etc = self.root / "etc/nginx"
        shutil.copytree("/etc/nginx", etc, symlinks=True)
        for folder in ("var/log/nginx", "var/lib/nginx", "run"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        moves = [("/etc/nginx", str(etc)), ("/run/nginx.pid", str(self.root / "run/nginx.pid")),
                 ("/var/log/nginx", str(self.root / "var/log/nginx"))]  # fmt: skip
        for link in etc.rglob("*"):  # sites-enabled/default -> /etc/nginx/sites-available/default: to the copy
            if link.is_symlink() and os.readlink(link).startswith("/etc/nginx/"):
                target = etc / os.readlink(link).removeprefix("/etc/nginx/")
                link.unlink()
                link.symlink_to(target)
        for path in [etc / "nginx.conf", *etc.glob("sites-available/*")]:
            text = path.read_text()
            for old, new in moves:
                text = text.replace(old, new)
            text = re.sub(r"listen (\[::\]:)?80 ", rf"listen \g<1>{self.s['http_port']} ", text)
            path.write_text(text)
        temp = "".join(f"\t{k}_temp_path {self.root}/var/lib/nginx/{k};\n" for k in ("client_body", "proxy",
                       "fastcgi", "uwsgi", "scgi"))  # fmt: skip
        (etc / "conf.d" / "00-drill-temp.conf").write_text(temp)

    def nginx(self, *args) -> subprocess.CompletedProcess:
        conf = self.root / "etc/nginx/nginx.conf"
        # The master outlives this call: it must not keep the drill's terminal open.
        return subprocess.run(["/usr/sbin/nginx", "-c", str(conf), *args], check=False, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip

    # systemctl
    def unit(self, name: str) -> dict:
        path = self.root / "etc/systemd/system" / (name if name.endswith(".service") else f"{name}.service")
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        parser.optionxform = str
        parser.read_string(path.read_text())
        return dict(parser["Service"])

    def start(self, name: str):
        service = self.unit(name)
        env = {"PATH": SERVICE_PATH, "LANG": "C.UTF-8"}
        if "EnvironmentFile" in service:
            env.update(environment_file(Path(service["EnvironmentFile"].lstrip("-"))))
        user = service.get("User", "root")
        env.update(USER=user, LOGNAME=user, HOME=os.path.expanduser(f"~{user}"))
        command = shlex.split(service["ExecStart"].lstrip("-@+!:"))
        journal = self.root / "var/log/journal"
        journal.mkdir(parents=True, exist_ok=True)
        with open(journal / f"{name}.log", "ab") as log:
            process = subprocess.Popen(
                ["runuser", "-u", user, "-g", service.get("Group", user), "--", *command],
                cwd=service.get("WorkingDirectory", "/"), env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
        self.s.setdefault("units", {})[name] = process.pid
        self.save()

    def stop(self, name: str):
        pid = self.s.get("units", {}).pop(name, None)
        if pid:
            kill_group(pid)
        self.save()

    def systemctl(self, args: list[str]) -> int:
        verb, names = args[0], [a for a in args[1:] if not a.startswith("-")]
        names = [n.removesuffix(".service") for n in names]
        if verb == "daemon-reload":
            return 0
        for name in names:
            if name == "nginx":
                if verb in ("reload", "restart", "start"):
                    return self.nginx("-s", "reload").returncode
                continue
            if verb in ("stop", "restart"):
                self.stop(name)
            if verb in ("start", "restart") or (verb == "enable" and "--now" in args):
                self.start(name)
        return 0

    def teardown(self):
        for name in list(self.s.get("units", {})):
            self.stop(name)
        if (self.root / "run/nginx.pid").exists():
            self.nginx("-s", "stop")
        if self.s.get("redis_pid"):
            kill_group(self.s["redis_pid"])
        if self.s.get("pg_data"):
            subprocess.run(["runuser", "-u", "postgres", "--", self.pg_bin("pg_ctl"), "-D", self.s["pg_data"],
                            "-m", "immediate", "-w", "stop"], capture_output=True)  # fmt: skip


def environment_file(path: Path) -> dict[str, str]:
    """systemd's EnvironmentFile= format: NAME=value lines, # comments, optional quotes."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";")) and "=" in line:
            name, value = line.split("=", 1)
            values[name.strip()] = value.strip().strip("\"'")
    return values


def kill_group(pid: int):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    for _ in range(100):
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


# --- what the drill brings: the code's snapshot, a CA and the site's certificate --------------------


def snapshot(into: Path) -> str:
    """A repository holding this work tree as it is now (uncommitted and untracked files too, what
    .gitignore leaves out excepted), at the branch `drill`."""
    index = into / "index"
    env = {**os.environ, "GIT_INDEX_FILE": str(index)}
    run("git", "-C", REPO, "add", "-A", env=env)
    tree = run("git", "-C", REPO, "write-tree", env=env).stdout.strip()
    commit = run("git", "-C", REPO, "-c", "user.name=drill", "-c", "user.email=drill@localhost", "commit-tree",
                 tree, "-m", "drill snapshot").stdout.strip()  # fmt: skip
    bare = into / "origin.git"
    run("git", "init", "--quiet", "--bare", bare)
    run("git", "-C", REPO, "push", "--quiet", bare, f"{commit}:refs/heads/drill")
    run("git", "-C", bare, "symbolic-ref", "HEAD", "refs/heads/drill")
    return str(bare)


def certificates(folder: Path) -> tuple[Path, Path, Path]:
    """(CA certificate, the site's chain, the site's key): what a CA would hand over."""
    ca_key, ca, key, request, cert = (folder / n for n in ("ca.key", "ca.pem", "privkey.pem", "site.csr", "site.pem"))
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Drill CA",
        "-keyout", ca_key, "-out", ca)  # fmt: skip
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={DOMAIN}", "-keyout", key, "-out", request)
    extensions = folder / "site.ext"
    extensions.write_text(f"subjectAltName=DNS:{DOMAIN}\nextendedKeyUsage=serverAuth\n")
    run("openssl", "x509", "-req", "-in", request, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-days", "2",
        "-extfile", extensions, "-out", cert)  # fmt: skip
    chain = folder / "fullchain.pem"
    chain.write_text(cert.read_text() + ca.read_text())
    return ca, chain, key


# --- running the document on a terminal -------------------------------------------------------------


def run_on_terminal(text: str, env: dict, cwd: Path, transcript: Path, timeout: float) -> int:
    """bash running `text` on a pty, typing PASSWORD at every password prompt (getpass reads the
    terminal, not stdin). The transcript keeps everything the terminal showed."""
    path = cwd / "install.sh"
    path.write_text(text)
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(cwd)
        os.execve("/bin/bash", ["bash", str(path)], env)
    seen = b""
    deadline = time.monotonic() + timeout
    status = None
    with open(transcript, "wb") as out:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 1)
            if not ready:
                # The services it started may hold the terminal open: bash's end is the end.
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    break
                status = None
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out.write(chunk)
            out.flush()
            seen = (seen + chunk)[-200:]
            if re.search(rb"Password( \(again\))?: $", seen):
                os.write(fd, PASSWORD.encode() + b"\n")
                seen = b""
        else:
            os.kill(pid, signal.SIGKILL)
    if status is None:
        _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status)


# --- the checks ---------------------------------------------------------------------------------------


class Site:
    """HTTPS to the site's name at 127.0.0.1, verified against the drill's CA, with a cookie jar."""

    def __init__(self, port: int, ca: Path, source: str = "127.0.0.1"):
        self.port = port
        self.source = source
        self.context = ssl.create_default_context(cafile=str(ca))
        self.cookies: dict[str, str] = {}
        self.origin = f"https://{DOMAIN}:{port}"

    def connection(self) -> http.client.HTTPSConnection:
        conn = http.client.HTTPSConnection(DOMAIN, self.port, context=self.context, timeout=30)
        conn.sock = self.context.wrap_socket(socket.create_connection(("127.0.0.1", self.port), 30, (self.source, 0)),
                                             server_hostname=DOMAIN)  # fmt: skip
        return conn

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        conn = self.connection()
        headers = {"Host": f"{DOMAIN}:{self.port}", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        for header in response.msg.get_all("Set-Cookie") or []:
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name.strip()] = value.strip()
        conn.close()
        return response.status, dict(response.getheaders()), data

    def form(self, path: str, fields: dict) -> tuple[int, dict, bytes]:
        _status, _headers, page = self.request("GET", path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded",
                                                 "Origin": self.origin, "Referer": self.origin + path})  # fmt: skip


def totp(secret_base32: str, at: float | None = None) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits), what an authenticator app shows: ten lines, so the drill needs
    nothing installed beyond the standard library for it."""
    key = base64.b32decode(secret_base32.upper() + "=" * (-len(secret_base32) % 8))
    digest = hmac.new(key, int((at or time.time()) // 30).to_bytes(8, "big"), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(int.from_bytes(digest[offset : offset + 4], 'big') & 0x7FFFFFFF) % 1_000_000:06d}"


def sign_in_with_second_factor(site: Site, username: str) -> dict:
    status, _headers, _ = site.form("/accounts/login/", {"username": username, "password": PASSWORD})
    seen = {"password_status": status}
    status, headers, _ = site.request("GET", "/")
    seen["before_second_factor"] = {"status": status, "sent_to": headers.get("Location", "")}
    _status, _headers, page = site.request("GET", "/accounts/two-factor/enrol/")
    secret = re.search(rb'id="totp-secret">([A-Z2-7]+)<', page).group(1).decode()
    status, _headers, page = site.form("/accounts/two-factor/enrol/", {"token": totp(secret)})
    seen["enrol_status"] = status
    seen["recovery_codes_shown"] = b"recovery" in page.lower()
    status, headers, _page = site.request("GET", "/")
    if status == 302 and "/accounts/" not in headers.get("Location", ""):  # sent on to their own start page
        status, headers, _page = site.request("GET", headers["Location"])
    seen["home_status"] = status
    return seen


def signed_headers(secret: str, code: str, method: str, path: str, body: bytes) -> dict:
    """README, "Channel signatures", version 2."""
    timestamp, nonce = str(int(time.time())), uuid.uuid4().hex
    message = "\n".join([timestamp, nonce, method, path, hashlib.sha256(body).hexdigest()])
    signature = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    return {"X-Channel": code, "X-Timestamp": timestamp, "X-Nonce": nonce, "X-Signature": signature}


def work_order(reference: str) -> dict:
    sys.path.insert(0, str(REPO))
    from cases.core.identifiers import uscc_check_character

    first17 = "91620702MA71ABCD0"
    return {"reference": reference, "complainant_name": "张经理", "enterprise_name": "示范公司",
            "enterprise_uscc": first17 + uscc_check_character(first17), "respondent": "区某街道办事处",
            "subject": "arrears", "facts": "工程款 86 万元至今未付。", "amount_claimed": "860000.00"}  # fmt: skip


def plain_http(port: int, path: str, host: str = DOMAIN) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Host": host})
    response = conn.getresponse()
    return response.status, dict(response.getheaders()), response.read()


def wait_until(check, timeout: float, interval: float = 1.0):
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    return value


def prove(values: dict, ca: Path, channel_secret: str, report: dict):
    from websockets.sync.client import connect

    https, http_port = int(values["HTTPS_PORT"]), int(values["HTTP_PORT"])
    checks = report["checks"]

    def healthz():
        status, _h, body = plain_http(http_port, "/healthz")
        return (status, json.loads(body or b"{}")) if status == 200 else None

    found = wait_until(healthz, 90)
    checks["healthz_over_http"] = found[1] if found else plain_http(http_port, "/healthz")[2].decode()[:2000]
    site = Site(https, ca)
    status, _h, body = site.request("GET", "/healthz")
    checks["healthz_over_https"] = {"status": status, "body": json.loads(body or b"{}")}
    status, headers, _ = plain_http(http_port, "/accounts/login/")
    checks["http_redirect"] = {"status": status, "location": headers.get("Location", "")}
    _status, _h, page = site.request("GET", "/accounts/login/")
    stylesheet = re.search(rb'href="(/static/[^"]+\.css)"', page).group(1).decode()  # the manifest's hashed name
    checks["static_served"] = {"path": stylesheet, "status": site.request("GET", stylesheet)[0]}
    # The allow-list: from 127.0.0.1 the admin answers; a client nginx does not know is refused.
    status, _h, _ = site.request("GET", "/admin/login/")
    checks["admin_from_loopback"] = status
    checks["admin_allow_list"] = allow_list_refuses(https, ca)

    checks["first_admin_sign_in"] = sign_in_with_second_factor(Site(https, ca), "sys-admin")
    clerk = Site(https, ca)
    checks["clerk_sign_in"] = sign_in_with_second_factor(clerk, "clerk")

    cookie = {"Cookie": "; ".join(f"{k}={v}" for k, v in clerk.cookies.items())}
    with connect(f"wss://{DOMAIN}:{https}/ws/notifications/", sock=socket.create_connection(("127.0.0.1", https)),
                 ssl=site.context, server_hostname=DOMAIN, origin=clerk.origin, additional_headers=cookie,
                 open_timeout=30) as ws:  # fmt: skip
        hello = json.loads(ws.recv(timeout=30))
        checks["websocket_hello"] = hello.get("type")
        reference = f"12345-drill-{uuid.uuid4().hex[:8]}"
        body = json.dumps(work_order(reference), ensure_ascii=False).encode()
        path = "/api/v1/complaints/"
        status, _h, answer = site.request("POST", path, body, {"Content-Type": "application/json",
                                                                  **signed_headers(channel_secret, "12345", "POST",
                                                                                   path, body)})  # fmt: skip
        checks["work_order_post"] = {"status": status, "body": json.loads(answer or b"{}")}
        received = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and received is None:
            with contextlib.suppress(TimeoutError):
                message = json.loads(ws.recv(timeout=5))
                if message.get("type") == "notification":
                    received = message
        checks["websocket_notification"] = received
    status_path = f"/api/v1/complaints/{reference}/"

    def case_number():
        got = site.request("GET", status_path, None, signed_headers(channel_secret, "12345", "GET", status_path, b""))
        data = json.loads(got[2] or b"{}")
        return data if data.get("number") else None

    checks["work_order_status"] = wait_until(case_number, 60) or {}


def allow_list_refuses(port: int, ca: Path) -> dict:
    """The same site asked from an address not on /admin/'s allow-list: nginx's own answer. Every
    loopback address is 127.0.0.0/8; the list allows 127.0.0.1 only, so 127.0.0.2 stands for a
    client elsewhere (no traffic leaves the machine)."""
    elsewhere = Site(port, ca, source="127.0.0.2")
    return {"admin": elsewhere.request("GET", "/admin/login/")[0], "healthz": elsewhere.request("GET", "/healthz")[0]}


# --- the drill ----------------------------------------------------------------------------------------


def prepare(work: Path) -> dict:
    """The folder, what the drill brings (certificates, the code's snapshot) and its values."""
    root = work / "root"
    root.mkdir(parents=True)
    for folder in (work, root):
        folder.chmod(0o755)  # the service user walks through to $ROOT/srv/chengxin
    brought = work / "brought"
    brought.mkdir()
    ca, chain, key = certificates(brought)
    values = {
        "ROOT": str(root),
        "REPOSITORY": snapshot(brought),
        "RELEASE": "drill",
        "TLS_CERT": str(chain),
        "TLS_KEY": str(key),
        "HTTP_PORT": str(free_port()),
        "HTTPS_PORT": str(free_port()),
        "WEB_PORT": str(free_port()),
        "PG_PORT": str(free_port()),
    }
    redis_port = free_port()
    values["REDIS"] = f"redis://127.0.0.1:{redis_port}/0"
    values["CHENGXIN_URL"] = f"https://{DOMAIN}:{values['HTTPS_PORT']}"
    (work / "machine.json").write_text(json.dumps({"root": str(root), "pg_port": int(values["PG_PORT"]),
                                                   "redis_port": redis_port,
                                                   "http_port": int(values["HTTP_PORT"])}))  # fmt: skip
    (work / "values.json").write_text(json.dumps({**values, "_ca": str(ca)}))
    return values


def stand_ins(work: Path) -> Path:
    """`systemctl` and the post-install hook call back into this file; `nginx` reads $ROOT's tree."""
    bin_dir = work / "bin"
    bin_dir.mkdir()
    state, root = work / "machine.json", work / "root"
    for name, verb in (("systemctl", "systemctl"), ("drill-machine", "machine")):
        (bin_dir / name).write_text(f"#!/bin/sh\nexec {sys.executable} {Path(__file__).resolve()} "
                                    f'--state {state} {verb} "$@"\n')  # fmt: skip
        (bin_dir / name).chmod(0o755)
    (bin_dir / "nginx").write_text(f'#!/bin/sh\nexec /usr/sbin/nginx -c {root}/etc/nginx/nginx.conf "$@"\n')
    (bin_dir / "nginx").chmod(0o755)
    return bin_dir


def install(work: Path, report: dict) -> bool:
    values = json.loads((work / "values.json").read_text())
    values.pop("_ca")
    bin_dir = stand_ins(work)
    env = {"PATH": f"{bin_dir}:{values['ROOT']}/usr/local/bin:{SERVICE_PATH}", "HOME": str(work / "brought"),
           "LANG": "C.UTF-8", "TERM": "dumb", "DEBIAN_FRONTEND": "noninteractive"}  # fmt: skip
    blocks = install_blocks(DOC.read_text())
    report["blocks"] = [line for line, _ in blocks]
    started = time.monotonic()
    text = script(blocks, values, bin_dir / "drill-machine")
    code = run_on_terminal(text, env, work / "brought", work / "install.log", timeout=INSTALL_SECONDS)
    report["seconds"]["install"] = round(time.monotonic() - started, 1)
    transcript = (work / "install.log").read_text(errors="replace")
    report["install_exit"] = code
    report["install_tail"] = transcript[-3000:]
    secret = re.search(r"The channel 12345 signs with: (\S+)", transcript)
    (work / "channel-secret").write_text(secret.group(1) if secret else "")
    return code == 0


def check(work: Path, report: dict) -> None:
    values = json.loads((work / "values.json").read_text())
    started = time.monotonic()
    try:
        prove(values, Path(values["_ca"]), (work / "channel-secret").read_text(), report)
    except Exception as exc:  # the report says how far it got
        report["checks"]["error"] = f"{type(exc).__name__}: {exc}"
    report["seconds"]["checks"] = round(time.monotonic() - started, 1)
    report["checks"]["unit_users"] = unit_users(json.loads((work / "machine.json").read_text()).get("units", {}))
    journal = work / "root/var/log/journal"
    report["journal_tail"] = {p.stem: p.read_text(errors="replace")[-1500:] for p in journal.glob("*.log")}


def unit_users(units: dict[str, int]) -> dict[str, list[str]]:
    """Who each unit's processes run as (runuser's children and theirs)."""
    import pwd

    def tree(pid: int) -> list[int]:
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(c) for c in children] + [g for c in children for g in tree(int(c))]

    users = {}
    for name, pid in units.items():
        uids = set()
        for child in tree(pid):
            with contextlib.suppress(OSError):
                status = Path(f"/proc/{child}/status").read_text()
                uids.add(int(re.search(r"^Uid:\s+(\d+)", status, re.M).group(1)))
        users[name] = sorted(pwd.getpwuid(uid).pw_name for uid in uids)
    return users


def teardown(work: Path) -> None:
    state = work / "machine.json"
    if state.exists():
        Machine(state).teardown()


def drill(work: Path, keep: bool, stay: bool) -> dict:
    report = {"work": str(work), "checks": {}, "seconds": {}}
    started = time.monotonic()
    try:
        report["values"] = prepare(work)
        if install(work, report):
            check(work, report)
    finally:
        if not stay:
            teardown(work)
            if not keep:
                shutil.rmtree(work, ignore_errors=True)
    report["seconds"]["total"] = round(time.monotonic() - started, 1)
    return report


def passed(report: dict) -> bool:
    c = report.get("checks", {})
    return (
        report.get("install_exit") == 0
        and c.get("healthz_over_http", {}).get("status") == "ok"
        and c.get("http_redirect", {}).get("status") == 301
        and c.get("admin_allow_list", {}).get("admin") == 403
        and c.get("first_admin_sign_in", {}).get("home_status") == 200
        and c.get("work_order_post", {}).get("status") == 202
        and (c.get("websocket_notification") or {}).get("type") == "notification"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--state", help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, transcript)")
    parser.add_argument("--report", help="write the report (JSON) here")
    parser.add_argument("--work", help="the temporary folder (made when not given)")
    parser.add_argument("--stay", action="store_true", help="leave the installation running (then: check, teardown)")
    parser.add_argument(
        "verb", nargs="?", default="drill", choices=["drill", "check", "teardown", "systemctl", "machine"]
    )
    parser.add_argument("args", nargs=argparse.REMAINDER)
    options = parser.parse_args(argv)
    if options.verb == "systemctl":
        return Machine(Path(options.state)).systemctl(options.args)
    if options.verb == "machine":
        Machine(Path(options.state)).provision()
        return 0
    if os.geteuid() != 0:
        print("the drill runs the document as root (apt-get, adduser, runuser)", file=sys.stderr)
        return 2
    work = Path(options.work) if options.work else Path(tempfile.mkdtemp(prefix="chengxin-drill-"))
    if options.verb == "teardown":
        teardown(work)
        return 0
    if options.verb == "check":
        report = {"work": str(work), "checks": {}, "seconds": {}, "install_exit": 0}
        check(work, report)
    else:
        report = drill(work, options.keep, options.stay)
    text = json.dumps(report, indent=1, ensure_ascii=False)
    if options.report:
        Path(options.report).write_text(text)
    else:
        print(text)
    ok = passed(report)
    print(f"drill {'passed' if ok else 'FAILED'} in {report['seconds'].get('total')} s", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
