"""What a page tells the person after a step: the messages at its top."""

import re


def told(response) -> list[str]:
    """The messages the page shows after a step (the list at the top of the page)."""
    page = response.content.decode()
    found = re.search(r'<ul class="messages">(.*?)</ul>', page, re.S)
    return re.findall(r"<li[^>]*>(.*?)</li>", found.group(1), re.S) if found else []


def step(client, user, path, data=None):
    """`user` posts `data` to `path`; the page the step leads to."""
    client.force_login(user)
    return client.post(path, data or {}, follow=True)
