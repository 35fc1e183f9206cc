"""Which Host names the mock answers: its own (loopback, `--host`, `--allowed-hosts`), so DNS rebinding cannot reach it.

A page on evil.example that rebinds its name to 127.0.0.1 talks to the mock from the victim's
browser with `Host: evil.example`; answering only the mock's own names turns that into a 421.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from .envelope import MisdirectedHost

ANY_HOST = "*"


def host_name(host: str) -> str:
    """The name of a Host header value, without its port or brackets, lower case, no trailing dot."""
    host = host.strip().lower()
    if host.startswith("["):
        name = host[1:].partition("]")[0]
    elif host.count(":") == 1:
        name = host.partition(":")[0]
    else:
        name = host  # a bare IPv6 address (not valid in a Host header, but unambiguous)
    return name.rstrip(".")


def is_loopback_name(name: str) -> bool:
    """localhost, *.localhost (RFC 6761: always loopback) or a loopback address, IPv4-mapped ones included."""
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


@dataclass(frozen=True)
class HostNames:
    """The names the mock answers besides loopback ones: exact names, `.suffix` for subdomains, or any (`*`)."""

    names: frozenset[str]
    any: bool = False

    @classmethod
    def of(cls, bind_host: str, allowed: Iterable[str]) -> HostNames:
        given = [host_name(n) if not n.strip().startswith(".") else n.strip().lower() for n in allowed if n.strip()]
        names = set(given) - {ANY_HOST}
        if bind_host.strip():  # 0.0.0.0 too: the banner's URL names it, and only this machine reaches it so
            names.add(bind_host.strip().strip("[]").lower().rstrip("."))
        return cls(frozenset(names), ANY_HOST in given)

    @classmethod
    def parse(cls, bind_host: str, allowed: str) -> HostNames:
        """From `--host` and the comma-separated `--allowed-hosts`."""
        return cls.of(bind_host, allowed.split(","))

    def allows(self, host: str | None) -> bool:
        if self.any or host is None:  # no Host header: HTTP/1.0 by hand, never a browser
            return True
        name = host_name(host)
        if is_loopback_name(name) or name in self.names:
            return True
        return any(n.startswith(".") and (name.endswith(n) or name == n[1:]) for n in self.names)

    @staticmethod
    def refusal(host: str | None) -> MisdirectedHost:
        """The error that refuses `host`, saying how to allow it."""
        return MisdirectedHost(
            f"{host!r} is not one of this mock's names; add it with --allowed-hosts"
            " (CUDIS_MOCK_ALLOWED_HOSTS) if it is, e.g. the name of a reverse proxy in front of the mock"
        )
