"""The reference nginx configuration and systemd units say what production needs, and start what
the Procfile starts."""

import configparser
import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
NGINX = ROOT / "deploy" / "nginx" / "chengxin.conf"
UNITS = {name: ROOT / "deploy" / "systemd" / f"chengxin-{name}.service" for name in ("web", "worker", "beat")}
APP = "/srv/chengxin/app/"


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def unit(name) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read(UNITS[name])
    return parser


def nginx_blocks() -> dict[str, str]:
    """Each `location` block's text, by its pattern (the first server's /healthz as "80 /healthz")."""
    text = NGINX.read_text()
    blocks = {}
    for match in re.finditer(r"location\s+(=\s+)?(\S+)\s*\{(.*?)\n\s*\}", text, re.S):
        key = match.group(2) if match.group(2) not in blocks else match.group(2) + " (2)"
        blocks[key] = match.group(3)
    return blocks


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def size_in_bytes(value: str) -> int:
    number, unit_ = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit_.lower()]


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_each_unit_runs_as_the_service_user_with_the_environment_file_and_restarts(name):
    service = unit(name)["Service"]
    assert service["User"] == "chengxin" and service["Group"] == "chengxin"
    assert service["EnvironmentFile"] == "/etc/chengxin/env"
    assert service["Restart"] == "on-failure"
    assert service["WorkingDirectory"] == APP.rstrip("/")


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_each_unit_starts_what_the_procfile_starts(name):
    started = unit(name)["Service"]["ExecStart"].replace(APP, "")
    assert started == procfile()[name].replace("$PORT", "8000")


def test_the_procfile_names_exactly_the_three_units():
    assert set(procfile()) == set(UNITS)


def test_daphne_listens_on_the_loopback_address_only():
    assert " -b 127.0.0.1 -p 8000 " in unit("web")["Service"]["ExecStart"]
    assert "proxy-headers" not in procfile()["web"]
    assert re.search(r"server 127\.0\.0\.1:8000;", NGINX.read_text())


def test_nginx_writes_x_forwarded_for_itself_and_never_appends_to_the_clients():
    text = NGINX.read_text()
    assert "$proxy_add_x_forwarded_for" not in text
    for name, block in nginx_blocks().items():
        if "proxy_set_header" in block:  # such a block inherits none of the server's
            assert "proxy_set_header X-Forwarded-For $remote_addr;" in block, name
            assert "proxy_set_header X-Forwarded-Proto $scheme;" in block, name
            assert "proxy_set_header Host" in block, name
    assert text.count("proxy_set_header X-Forwarded-For $remote_addr;") >= 3


def test_nginx_passes_websocket_upgrades_on_ws():
    block = nginx_blocks()["/ws/"]
    assert "proxy_set_header Upgrade $http_upgrade;" in block
    assert "proxy_set_header Connection $connection_upgrade;" in block


def test_nginx_takes_a_body_above_the_largest_upload():
    limit = re.search(r"client_max_body_size (\S+);", NGINX.read_text()).group(1)
    assert size_in_bytes(limit) > max(settings.MAX_MATERIAL_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def test_nginx_lets_only_the_allow_list_reach_the_admin():
    block = nginx_blocks()["/admin/"]
    assert re.search(r"allow \S+;", block) and "deny all;" in block
    assert block.index("allow") < block.index("deny all;") < block.index("proxy_pass")


def test_plain_http_is_redirected_to_https_except_the_probe():
    blocks = nginx_blocks()
    assert "proxy_pass http://chengxin_daphne;" in blocks["/healthz"]
    assert "return 301 https://$host$request_uri;" in blocks["/"]
    assert "ssl_certificate " in NGINX.read_text() and "listen 443 ssl" in NGINX.read_text()


def test_nginx_serves_the_static_files_and_never_the_uploads():
    blocks = nginx_blocks()
    assert f"alias {APP}staticfiles/;" in blocks["/static/"]
    assert "return 404;" in blocks["/media/"]


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed (Debian package nginx)")
def test_nginx_accepts_the_configuration(tmp_path):
    key, cert = tmp_path / "privkey.pem", tmp_path / "fullchain.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)  # fmt: skip
    site = NGINX.read_text().replace("/etc/chengxin/tls/privkey.pem", str(key))
    site = site.replace("/etc/chengxin/tls/fullchain.pem", str(cert)).replace("/var/log/nginx/", f"{tmp_path}/")
    # `nginx -t` binds the ports: free ones here (no root needed, no clash with a running nginx).
    for port in ("80", "443"):
        free = free_port()
        site = re.sub(rf"listen (\[::\]:)?{port} ", rf"listen \g<1>{free} ", site)
    (tmp_path / "chengxin.conf").write_text(site)
    temp = "".join(f"    {kind}_temp_path {tmp_path}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi",
                                                                                  "uwsgi", "scgi"))  # fmt: skip
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\n{temp}    include {tmp_path}/chengxin.conf;\n}}\n"
    )
    result = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
                             "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("example", "named"),
    [(".env.example", {"SMS_BACKEND", "NATIONAL_SITE_GATEWAY"}), ("deploy/env.example", {"EMAIL_BACKEND"})],
)
def test_every_class_an_example_environment_names_can_be_imported(example, named):
    from django.utils.module_loading import import_string

    values = dict(
        line.split("=", 1) for line in (ROOT / example).read_text().splitlines() if re.match(r"^[A-Z_]+=", line)
    )
    classes = {name: value for name, value in values.items() if re.fullmatch(r"[a-z_]+(\.[a-z_]+)+\.[A-Z]\w+", value)}
    assert named <= set(classes)
    for dotted_path in classes.values():
        import_string(dotted_path)  # an operator who copies the file gets a class that exists
