"""The code-location protocol: how the daemon and the server talk to a code-location process.

One request per connection, on a Unix socket (the default on POSIX) or loopback TCP. The client
sends one line of JSON and reads one line of JSON back:

    request:  {"method": "snapshot", "params": {}}
    response: {"ok": true, "result": {...}}
          or  {"ok": false, "error": {"message": "...", "cls_name": "...", "traceback": "..."}}

Methods (see `server.py`): ``ping``, ``snapshot`` (the `build_snapshot` dict, or the load error),
``evaluate_schedule`` {name, scheduled_time (epoch seconds), instance_url},
``evaluate_sensor`` {name, cursor, last_tick_time (epoch seconds or null), instance_url},
``shutdown``. A process that failed to load its definitions still answers: ``snapshot`` returns
the load error with its traceback. Must not import orchestration, server or cli.
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from typing import Any

from assetgraph.definitions.errors import AssetGraphError

PROTOCOL_VERSION = 1
MAX_LINE_BYTES = 256 * 1024 * 1024


class CodeLocationUnavailableError(AssetGraphError):
    """The code-location process did not answer (it crashed, hung or is not running)."""

    doc_page = "code-location-error"


class RemoteError(AssetGraphError):
    """User code in the code-location process raised; the message carries its traceback."""

    doc_page = "code-location-error"

    def __init__(self, message: str, cls_name: str = "", traceback: str = "") -> None:
        super().__init__(message)
        self.cls_name = cls_name
        self.remote_traceback = traceback


@dataclass(frozen=True)
class Address:
    """Where a code-location process listens: ``("unix", path)`` or ``("tcp", "127.0.0.1:port")``."""

    kind: str
    where: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "where": self.where}

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Address:
        return Address(str(data["kind"]), str(data["where"]))

    def connect(self, timeout: float) -> socket.socket:
        if self.kind == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            target: Any = self.where
        else:
            host, port = self.where.rsplit(":", 1)
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            target = (host, int(port))
        sock.settimeout(timeout)
        try:
            sock.connect(target)
        except BaseException:
            sock.close()
            raise
        return sock


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":"), default=str).encode() + b"\n"


def read_line(sock: socket.socket) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if chunk.endswith(b"\n") or size > MAX_LINE_BYTES:
            break
    return b"".join(chunks)


def request(address: Address, method: str, params: dict[str, Any] | None = None, *, timeout: float = 30.0) -> Any:
    """Send one request and return its ``result``.

    Raises `CodeLocationUnavailableError` when the process does not answer within ``timeout``
    seconds, and `RemoteError` when the method failed in the process (user code raised).
    """
    try:
        with address.connect(timeout) as sock:
            sock.sendall(encode({"v": PROTOCOL_VERSION, "method": method, "params": params or {}}))
            raw = read_line(sock)
    except TimeoutError:
        raise CodeLocationUnavailableError(
            f"The code-location process did not answer {method!r} within {timeout:g}s (it may hang in user code)."
        ) from None
    except OSError as exc:
        raise CodeLocationUnavailableError(f"Cannot reach the code-location process at {address.where}: {exc}") from exc
    if not raw:
        raise CodeLocationUnavailableError(f"The code-location process closed the connection during {method!r}.")
    reply = json.loads(raw)
    if reply.get("ok"):
        return reply.get("result")
    error = reply.get("error") or {}
    raise RemoteError(str(error.get("message", "unknown error")), str(error.get("cls_name", "")),
                      str(error.get("traceback", "")))
