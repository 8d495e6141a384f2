"""Where the web process of the ``Procfile`` answers, as ``make run`` announces it.

gunicorn listens on ``WEB_BIND`` (``host:port``, ``[ipv6]:port``, ``unix:/path``; the
``Procfile``'s default below). ``make run`` prints this module's line through ``honcho run``,
which reads the ``.env`` file as ``honcho start`` does, so the line names the address the
server really takes.

    python -m config.address
"""

from __future__ import annotations

import os

DEFAULT_BIND = "127.0.0.1:8000"  # the Procfile's ${WEB_BIND:-127.0.0.1:8000}
DEFAULT_PORT = "8000"  # gunicorn's, for a bind without a port
# binds to every address, and the address a browser here opens for them
ANY_ADDRESS = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "[::]": "[::1]"}  # noqa: S104


def _host_port(bind: str) -> tuple[str, str] | None:
    """gunicorn's ``--bind`` as (host, port); None for a socket that is not TCP."""
    bind = bind.strip() or DEFAULT_BIND
    if bind.startswith(("unix:", "fd://")):
        return None
    bind = bind.removeprefix("tcp://")
    if bind.startswith("["):  # [ipv6]:port or [ipv6]
        host, _, rest = bind.partition("]")
        return f"{host}]", rest.removeprefix(":") or DEFAULT_PORT
    if bind.count(":") == 1:
        host, port = bind.split(":")
        return host, port or DEFAULT_PORT
    if ":" in bind:  # a bare IPv6 address
        return f"[{bind}]", DEFAULT_PORT
    return bind, DEFAULT_PORT


def web_url(bind: str) -> str | None:
    """The URL a browser on this machine opens for gunicorn's ``--bind``; None for a socket
    that is not TCP (``unix:``, ``fd://``)."""
    found = _host_port(bind)
    if found is None:
        return None
    host, port = found
    return f"http://{ANY_ADDRESS.get(host, host)}:{port}"


def banner(bind: str) -> str:
    """The line ``make run`` prints: the site and its API documentation."""
    bind = bind.strip()
    found = _host_port(bind)
    if found is None:
        return f"Aspirasi on {bind} (a socket: put a web server in front of it)"
    url = web_url(bind)
    line = f"Aspirasi on {url}/  (API docs: {url}/api/v1/docs/)"
    if found[0] in ANY_ADDRESS:
        line += f"; listening on every address ({bind})"
    return line


if __name__ == "__main__":
    print(banner(os.environ.get("WEB_BIND", "")))
