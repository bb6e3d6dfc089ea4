"""A warm start for run workers: a process that has imported assetgraph, SQLAlchemy and the
executor once, and forks a fresh run worker for each run (about 10 ms, instead of a new Python
that spends a few hundred milliseconds importing the same modules).

``python -m assetgraph.codelocation.zygote`` reads one JSON request per line on stdin:
``{"run_id": ..., "args": [worker arguments], "env": {...}, "cwd": ..., "log": path}``; it answers
``{"run_id": ..., "pid": ...}`` on stdout, and ``{"pid": ..., "returncode": ...}`` when a worker
ends (negative: killed by that signal). It never imports user code itself, so each worker loads
its code location afresh, as a cold worker does. It exits when stdin closes; the workers, in
their own sessions, finish their runs. Must not import orchestration, server or cli.
"""

from __future__ import annotations

import json
import os
import select
import sys
from typing import Any


def _preload() -> None:
    """Import what every worker needs, so a forked worker starts with it."""
    import assetgraph.codelocation.worker
    import assetgraph.execution.io_managers
    import assetgraph.execution.multiprocess
    import assetgraph.execution.plan
    import assetgraph.execution.resources
    import assetgraph.storage.instance  # noqa: F401
    from assetgraph.storage import engine, event_log, migrate, runs  # noqa: F401


def _send(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _fork_worker(request: dict[str, Any]) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        sys.stdin = open(0)  # noqa: SIM115 - the worker's own stdio from here on
        sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
        os.environ.clear()
        os.environ.update(request["env"])
        if request.get("cwd"):
            os.chdir(request["cwd"])
        from assetgraph.codelocation.worker import main

        main(list(request["args"]))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _reap() -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        _send({"pid": pid, "returncode": code})


def main() -> None:
    _preload()
    _send({"ready": True, "pid": os.getpid()})
    buffer = b""
    stdin = sys.stdin.fileno()
    while True:
        readable, _, _ = select.select([stdin], [], [], 0.1)
        _reap()
        if not readable:
            continue
        chunk = os.read(stdin, 65536)
        if not chunk:
            return  # the launcher went away
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            request = json.loads(line)
            _send({"run_id": request["run_id"], "pid": _fork_worker(request)})


if __name__ == "__main__":
    main()
