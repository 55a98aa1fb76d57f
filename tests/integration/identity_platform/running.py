"""Start the stand-in identity platform in a server process of its own, for as long as a test needs it."""

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def identity_platform(*, claims: dict, client_id: str, client_secret: str, redirect_uri: str):
    """Yields {"base", "issuer", "settings"}: "settings" are this system's OIDC_* settings for it.
    The signing key is made here, for this run only."""
    port = free_port()
    base, issuer = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port}/o"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    with tempfile.TemporaryDirectory(prefix="identity-platform-") as folder:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_", "DATABASE_"))},
            "PYTHONPATH": str(ROOT),
            "PLATFORM_DATABASE": str(Path(folder) / "platform.sqlite3"),
            "PLATFORM_RSA_KEY": pem.decode(),
            "PLATFORM_ISSUER": issuer,
            "PLATFORM_CLAIMS": json.dumps(claims),
            "PLATFORM_CLIENT_ID": client_id,
            "PLATFORM_CLIENT_SECRET": client_secret,
            "PLATFORM_REDIRECT_URI": redirect_uri,
        }
        log_path = Path(folder) / "platform.log"
        with open(log_path, "w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.integration.identity_platform.serve", str(port)],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if requests.get(f"{base}/ready", timeout=5).status_code == 200:
                        break
                except requests.RequestException:  # not listening yet, or too busy to answer yet
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the identity platform did not start:\n" + log_path.read_text())
                time.sleep(0.2)
            yield {"base": base, "issuer": issuer, "settings": {
                "OIDC_RP_CLIENT_ID": client_id,
                "OIDC_RP_CLIENT_SECRET": client_secret,
                "OIDC_OP_ISSUER": issuer,
                "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{base}/o/authorize/",
                "OIDC_OP_TOKEN_ENDPOINT": f"{base}/o/token/",
                "OIDC_OP_USER_ENDPOINT": f"{base}/o/userinfo/",
                "OIDC_OP_JWKS_ENDPOINT": f"{base}/o/.well-known/jwks.json",
            }}  # fmt: skip
        finally:
            process.terminate()
            process.wait(timeout=10)


# This platform's own claim names and values, and the settings that map them.
CLAIM_SETTINGS = {
    "OIDC_CLAIM_ID_NUMBER": "usc_code",
    "OIDC_CLAIM_ENTITY_KIND": "subject_type",
    "OIDC_CLAIM_ENTITY_NAME": "corp_name",
    "OIDC_CLAIM_ROLE": "role_in_corp",
    "OIDC_ENTERPRISE_KIND_VALUES": ["legal"],
    "OIDC_PERSON_KIND_VALUES": ["natural"],
    "OIDC_LEGAL_REPRESENTATIVE_VALUES": ["LR"],
}
