"""A channel's signed request, as the channel's system signs it: every test that calls the channel
API signs through here (signature version 2; version 1 for the legacy switch's tests)."""

import time

from cases.complaints import intake as complaint_intake


def signed_headers(method: str, path: str, body: bytes = b"", *, secret="s3cret", code="12345", timestamp=None,
                   nonce=None) -> dict[str, str]:  # fmt: skip
    """X-Channel, X-Timestamp, X-Nonce (a new one unless given) and X-Signature for the request."""
    path, _, query = path.partition("?")
    timestamp = None if timestamp is None else str(timestamp)
    return complaint_intake.signed_headers(secret, code=code, method=method, path=path, query_string=query, body=body,
                                           timestamp=timestamp, nonce=nonce)  # fmt: skip


def legacy_headers(body: bytes = b"", *, secret="s3cret", code="12345", timestamp=None) -> dict[str, str]:
    """Signature version 1: no nonce, "<timestamp>.<body>"."""
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "X-Channel": code,
        "X-Timestamp": timestamp,
        "X-Signature": complaint_intake.legacy_signature(secret, timestamp, body),
    }


def as_meta(headers: dict[str, str]) -> dict[str, str]:
    """The headers as WSGI environ keys (HTTP_X_CHANNEL, ...)."""
    return {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
