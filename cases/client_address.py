"""The address a request comes from: the one place that says so (sign-in lock-outs use it).

A minimal version: the proxy-aware one (trusted proxies, X-Forwarded-For read from the right)
replaces it.
"""


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")
