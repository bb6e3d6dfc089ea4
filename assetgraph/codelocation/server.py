"""The code-location process: loads one code location and answers the protocol of `protocol.py`.

Run as ``python -m assetgraph.codelocation.server --name NAME (-m MODULE | -f FILE) [-a ATTR]
[--working-directory DIR] --listen unix:/path | tcp:127.0.0.1:0 --ready-file PATH``. Once its
definitions are loaded (or failed to load) it writes its address to the ready file, so the parent
knows where to connect. Only this process imports the location's user code; the daemon and the
web server ask it. Must not import orchestration, server or cli.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socketserver
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from assetgraph.codelocation.loader import CodeLocationTarget, load_definitions
from assetgraph.codelocation.protocol import Address, encode
from assetgraph.codelocation.snapshot import build_snapshot
from assetgraph.definitions.definitions import Definitions
from assetgraph.definitions.errors import DefinitionError
from assetgraph.definitions.events import ErrorInfo
from assetgraph.definitions.keys import AssetKey, coerce_asset_key
from assetgraph.definitions.schedules import RunRequest, TickEvaluation, build_schedule_context
from assetgraph.definitions.sensors import build_sensor_context


class LocationService:
    """What the process serves: the loaded definitions (or the load error) and evaluations."""

    def __init__(self, name: str, target: CodeLocationTarget) -> None:
        self.name = name
        self.defs: Definitions | None = None
        self.load_error: ErrorInfo | None = None
        self._snapshot: dict[str, Any] | None = None
        self._instances: dict[str, Any] = {}
        self._lock = threading.Lock()
        try:
            self.defs = load_definitions(target)
            self._snapshot = build_snapshot(self.defs, name)
        except Exception as exc:
            self.load_error = ErrorInfo.from_exception(exc)

    def handle(self, method: str, params: dict[str, Any]) -> Any:
        handlers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "ping": lambda p: {"name": self.name, "pid": os.getpid()},
            "snapshot": lambda p: self._require_snapshot(),
            "evaluate_schedule": self.evaluate_schedule,
            "evaluate_sensor": self.evaluate_sensor,
        }
        if method not in handlers:
            raise ValueError(f"Unknown method {method!r}; known: {', '.join(sorted(handlers))}.")
        return handlers[method](params)

    def _require_defs(self) -> Definitions:
        if self.defs is None:
            assert self.load_error is not None
            raise LoadFailed(self.load_error)
        return self.defs

    def _require_snapshot(self) -> dict[str, Any]:
        self._require_defs()
        assert self._snapshot is not None
        return self._snapshot

    def _instance(self, url: str | None) -> Any:
        return _LazyInstance(self, url) if url else None

    def open_instance(self, url: str) -> Any:
        with self._lock:
            if url not in self._instances:
                from assetgraph.storage.instance import Instance

                self._instances[url] = Instance.from_url(url)
            return self._instances[url]

    def evaluate_schedule(self, params: dict[str, Any]) -> dict[str, Any]:
        defs = self._require_defs()
        schedule = defs.get_schedule_def(params["name"])
        when = datetime.fromtimestamp(float(params["scheduled_time"]), UTC)
        from zoneinfo import ZoneInfo

        when = when.astimezone(ZoneInfo(schedule.execution_timezone))
        context = build_schedule_context(self._instance(params.get("instance_url")), when)
        evaluation = schedule.evaluate_tick(context)
        return self._evaluation_dict(defs, evaluation, schedule)

    def evaluate_sensor(self, params: dict[str, Any]) -> dict[str, Any]:
        defs = self._require_defs()
        sensor = defs.get_sensor_def(params["name"])
        last = params.get("last_tick_time")
        context = build_sensor_context(params.get("cursor"), self._instance(params.get("instance_url")),
                                       datetime.fromtimestamp(float(last), UTC) if last else None, sensor.name)
        evaluation = sensor.evaluate_tick(context)
        return self._evaluation_dict(defs, evaluation, sensor)

    def _evaluation_dict(self, defs: Definitions, evaluation: TickEvaluation, instigator: Any) -> dict[str, Any]:
        job = getattr(instigator, "job", None)
        job_tags = dict(job.tags) if job is not None else {}
        requests = []
        for r in evaluation.run_requests:
            keys = r.asset_selection if r.asset_selection is not None else _resolve(defs, instigator.selection)
            request = RunRequest(r.run_key, r.partition_key, {**job_tags, **r.tags}, sorted(keys), r.run_config)
            entry = request.to_dict()
            entry["job_name"] = job.name if job is not None else None
            requests.append(entry)
        return {"run_requests": requests, "skip_message": evaluation.skip_message, "cursor": evaluation.cursor,
                "dynamic_partitions_requests": [d.to_dict() for d in evaluation.dynamic_partitions_requests]}


class _LazyInstance:
    """``context.instance`` for schedules and sensors: opened on first use, because opening storage
    costs more than most evaluations and few of them touch it."""

    def __init__(self, service: LocationService, url: str) -> None:
        self._service = service
        self._url = url

    def __getattr__(self, name: str) -> Any:
        return getattr(self._service.open_instance(self._url), name)


def _resolve(defs: Definitions, selection: Any) -> list[AssetKey]:
    """The executable asset keys of a schedule's or sensor's target."""
    graph = defs.get_asset_graph()
    if isinstance(selection, list | tuple):
        keys: set[AssetKey] = set()
        for item in selection:
            if hasattr(item, "keys") and not isinstance(item, str | AssetKey):
                keys.update(item.keys)
            else:
                keys.add(coerce_asset_key(getattr(item, "key", item)))
    else:
        keys = set(graph.select(selection))
    chosen = sorted(k for k in keys if graph.get(k).is_executable)
    if not chosen:
        raise DefinitionError(f"The target {selection!r} selects no asset that can be materialised.")
    return chosen


class LoadFailed(Exception):
    """The location's definitions did not load; carries the original error."""

    def __init__(self, error: ErrorInfo) -> None:
        super().__init__(error.message)
        self.error = error


def _error_reply(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, LoadFailed):
        info = exc.error
        return {"ok": False, "load_error": True, "error": {"message": info.message, "cls_name": info.cls_name,
                                                           "traceback": _full_traceback(info)}}
    info = ErrorInfo.from_exception(exc)
    return {"ok": False, "error": {"message": f"{info.cls_name}: {info.message}", "cls_name": info.cls_name,
                                   "traceback": _full_traceback(info)}}


def _full_traceback(info: ErrorInfo) -> str:
    parts = []
    current: ErrorInfo | None = info
    while current is not None:
        parts.append(current.traceback)
        current = current.cause
    return "\nThe above was caused by:\n\n".join(reversed(parts))


def _make_handler(service: LocationService, stop: Callable[[], None]) -> type[socketserver.StreamRequestHandler]:
    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            line = self.rfile.readline()
            if not line:
                return
            try:
                message = json.loads(line)
                method = str(message.get("method"))
                if method == "shutdown":
                    reply: dict[str, Any] = {"ok": True, "result": None}
                    threading.Thread(target=stop, daemon=True).start()
                else:
                    reply = {"ok": True, "result": service.handle(method, dict(message.get("params") or {}))}
            except Exception as exc:
                reply = _error_reply(exc)
            self.wfile.write(encode(reply))

    return Handler


class _UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class _TcpServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(service: LocationService, listen: str, ready_file: str | None) -> None:
    """Serve until a ``shutdown`` request, SIGTERM, or the parent process going away."""
    kind, _, where = listen.partition(":")
    holder: list[socketserver.BaseServer] = []
    handler = _make_handler(service, lambda: holder[0].shutdown())
    server: socketserver.BaseServer
    if kind == "unix":
        if os.path.exists(where):
            os.unlink(where)
        server = _UnixServer(where, handler)
        address = Address("unix", where)
    else:
        host, _, port = where.rpartition(":")
        server = _TcpServer((host or "127.0.0.1", int(port or 0)), handler)
        address = Address("tcp", f"{host or '127.0.0.1'}:{server.server_address[1]}")
    holder.append(server)
    if ready_file:
        tmp = ready_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({**address.to_dict(), "pid": os.getpid(), "loaded": service.load_error is None}, f)
        os.replace(tmp, ready_file)
    orphaned = _stop_with_parent(server)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        if kind == "unix" and os.path.exists(where):
            os.unlink(where)
        if orphaned.is_set() and ready_file:
            _remove_private_folder(os.path.dirname(ready_file))


def _stop_with_parent(server: socketserver.BaseServer) -> threading.Event:
    """A code-location process must not outlive the daemon or server that started it; the event
    returned is set when it stops because that process went away."""
    parent = os.getppid()
    orphaned = threading.Event()

    def watch() -> None:
        import time

        while os.getppid() == parent:
            time.sleep(0.5)
        orphaned.set()
        server.shutdown()

    threading.Thread(target=watch, name="assetgraph-parent-watch", daemon=True).start()
    return orphaned


def _remove_private_folder(folder: str) -> None:
    """Remove the folder the workspace made for this process (its ready file, socket and log), which
    a parent killed with SIGKILL could not: only those files, and the folder only once empty."""
    for name in ("ready.json", "socket", "process.log"):
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(folder, name))
    with contextlib.suppress(OSError):
        os.rmdir(folder)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m assetgraph.codelocation.server")
    parser.add_argument("--name", required=True)
    parser.add_argument("-m", "--module")
    parser.add_argument("-f", "--file")
    parser.add_argument("-a", "--attribute")
    parser.add_argument("--working-directory")
    parser.add_argument("--listen", default="tcp:127.0.0.1:0")
    parser.add_argument("--ready-file")
    args = parser.parse_args(argv)
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if args.working_directory:
        os.chdir(args.working_directory)
    target = CodeLocationTarget(args.module, args.file, args.attribute, args.working_directory)
    serve(LocationService(args.name, target), args.listen, args.ready_file)


if __name__ == "__main__":
    main()
