"""What ``serve --host`` may be: a host name or an address of this machine, never a port.

``--host 127.0.0.1:80`` used to reach ``bind()`` as an IPv6 address and fail with a
message about the port; it is refused first, saying where the port goes.
"""

from __future__ import annotations

import ipaddress
import re
import string

from brochure.content.plaintext import first_outside
from brochure.errors import UsageError, printable, shorten

# RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens.
_LABEL = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)"
HOST_NAME = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*\.?$")
_WITH_PORT = re.compile(r"^(?P<host>\[[^\]]*\]|[^:\[\]]*):(?P<port>\d*)$")
_NAME_CHARACTERS = string.ascii_letters + string.digits + "-."


def listen_host(host: str) -> str:
    """Return the address to listen on for ``host``; raise UsageError when it is not one.

    An IPv6 address may be written in brackets (``[::1]``), as in a URL.
    """
    shown = f"--host '{shorten(printable(host), 60)}'"
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return str(ipaddress.ip_address(bare))
    except ValueError:
        pass
    if len(host) <= 253 and HOST_NAME.match(host):
        return host
    if not host.strip():
        raise UsageError("--host is empty; give a host name or address, like 127.0.0.1 (this "
                         "machine only) or 0.0.0.0 (every network)")
    if "://" in host or "/" in host:
        raise UsageError(f"{shown} is not a host name or address; give the name or address "
                         "alone, like 127.0.0.1, without http:// or a path")
    if (found := _WITH_PORT.match(host)) is not None:
        name = found["host"] or "127.0.0.1"
        port = f" --port {found['port']}" if found["port"] else ""
        raise UsageError(f"{shown} is not a host name or address: it holds a port; give the "
                         f"port with --port (--host {printable(name)}{port})")
    odd = first_outside(host, _NAME_CHARACTERS)
    named = f": {odd} is not allowed" if odd else ""
    raise UsageError(f"{shown} is not a host name or address{named}; give one like "
                     "127.0.0.1, ::1 or localhost")
