"""The workspace: the code locations a daemon or web server serves, each in its own process.

`Workspace.locations` gives one `CodeLocation` per location, with its status (``LOADING``,
``LOADED`` or ``ERROR``), its error (with the user's traceback) and its `DefinitionsSnapshot`. A
location that fails to load, crashes or hangs is recorded as that location's error; the others keep
working. A workspace made with ``restart_crashed`` (the daemon's) brings back a location whose
process died (`Workspace.supervise`), ``LOADING`` meanwhile, a little later after each crash, and
gives up after ``max_crashes`` crashes within `CRASH_WINDOW` seconds. (A location whose code fails to
import keeps its process, which answers with the error: that is no crash.) A reload asked for in storage
(`request_reload`, what the web server does) reaches the daemon's workspace the same way.
Locations come from ``workspace.yaml``, ``[tool.assetgraph]`` in pyproject.toml, or ``-m``/``-f``;
their settings from ``code_locations:`` in ``assetgraph.yaml`` (`LocationSettings`).
Must not import orchestration, server or cli.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assetgraph.codelocation.loader import CodeLocationError, CodeLocationTarget, find_target
from assetgraph.codelocation.protocol import Address, CodeLocationUnavailableError, RemoteError, request
from assetgraph.codelocation.snapshot import DefinitionsSnapshot

LOADED = "LOADED"
ERROR = "ERROR"
LOADING = "LOADING"
MAX_CRASHES = 5  # crashes within CRASH_WINDOW seconds after which a location is no longer restarted
CRASH_WINDOW = 60.0
RELOAD_KEY_PREFIX = "code_location/reload/"


@dataclass(frozen=True)
class LocationSettings:
    """``code_locations:`` in ``assetgraph.yaml``:

    .. code-block:: yaml

        code_locations:
          load_timeout_seconds: 60      # a location still importing after this long is an error
          request_timeout_seconds: 30   # a schedule or sensor evaluation that takes longer fails

    (``check_interval_seconds`` there is the daemon's: see `assetgraph.orchestration.config`.)
    """

    load_timeout: float = 60.0
    request_timeout: float = 30.0

    @staticmethod
    def load(home: Path | None = None) -> LocationSettings:
        """The settings in ``<home>/assetgraph.yaml`` (default ``$ASSETGRAPH_HOME``); defaults when absent.
        Raises `CodeLocationError` naming the file when a value is wrong."""
        from assetgraph.storage.config import CONFIG_FILE, instance_home

        path = (home or instance_home()) / CONFIG_FILE
        if not path.exists():
            return LocationSettings()
        import yaml

        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        section = data.get("code_locations") if isinstance(data, dict) else None
        if section is None:
            return LocationSettings()
        if not isinstance(section, dict):
            raise CodeLocationError(f"{path}: `code_locations:` must be a mapping.")
        defaults = LocationSettings()
        try:
            settings = LocationSettings(
                load_timeout=float(section.get("load_timeout_seconds", defaults.load_timeout)),
                request_timeout=float(section.get("request_timeout_seconds", defaults.request_timeout)))
        except (TypeError, ValueError) as exc:
            raise CodeLocationError(f"{path}: code_locations: {exc}.") from None
        if min(settings.load_timeout, settings.request_timeout) <= 0:
            raise CodeLocationError(f"{path}: code_locations: every setting must be positive (seconds).")
        return settings


def request_reload(instance: Any, name: str) -> None:
    """Ask every process serving location ``name`` (the daemon's workspace too) to load it again."""
    instance.set_kvs({RELOAD_KEY_PREFIX + name: repr(time.time())})


@dataclass(frozen=True)
class LocationSpec:
    """One code location of a workspace: its name, where its definitions are, and which Python runs it."""

    name: str
    target: CodeLocationTarget
    python: str | None = None

    def target_args(self) -> list[str]:
        """Command-line options that point `loader.load_definitions` at this location."""
        t = self.target
        args = ["-m", t.module] if t.module else ["-f", str(t.file)]
        if t.attribute:
            args += ["-a", t.attribute]
        if t.working_directory:
            args += ["--working-directory", t.working_directory]
        return args


def load_workspace_file(path: str | Path) -> list[LocationSpec]:
    """Read a ``workspace.yaml``:

    .. code-block:: yaml

        load_from:
          - python_module: {module_name: shop.defs, location_name: shop, executable_path: .venv/bin/python}
          - python_file: {relative_path: etl/defs.py, working_directory: etl, attribute: defs}

    Raises `CodeLocationError` when the file is malformed.
    """
    import yaml

    path = Path(path).resolve()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = data.get("load_from") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise CodeLocationError(f"{path}: expected `load_from:` with a list of python_module / python_file entries.")
    specs = [_spec_from_entry(entry, path.parent, path) for entry in entries]
    names = [s.name for s in specs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise CodeLocationError(f"{path}: location names must be unique; repeated: {', '.join(dupes)}.")
    return specs


def _spec_from_entry(entry: Any, base: Path, path: Path) -> LocationSpec:
    if not isinstance(entry, dict) or len(entry) != 1:
        raise CodeLocationError(f"{path}: each load_from entry is python_module: {{...}} or python_file: {{...}}; "
                                f"got {entry!r}.")
    kind, body = next(iter(entry.items()))
    body = {"module_name": body} if isinstance(body, str) and kind == "python_module" else body
    body = {"relative_path": body} if isinstance(body, str) and kind == "python_file" else body
    wd = str((base / body["working_directory"]).resolve()) if body.get("working_directory") else str(base)
    python = body.get("executable_path")
    if python and not os.path.isabs(python):
        python = str((base / python).resolve())
    if kind == "python_module":
        target = CodeLocationTarget(module=body["module_name"], attribute=body.get("attribute"), working_directory=wd)
    elif kind == "python_file":
        file = Path(body["relative_path"])
        file = file if file.is_absolute() else Path(wd) / file
        target = CodeLocationTarget(file=str(file.resolve()), attribute=body.get("attribute"), working_directory=wd)
    else:
        raise CodeLocationError(f"{path}: unknown entry {kind!r}; use python_module or python_file.")
    return LocationSpec(body.get("location_name") or target.name, target, python)


def find_workspace(module: str | None = None, file: str | None = None, attribute: str | None = None,
                   workspace_file: str | None = None, cwd: str | None = None) -> list[LocationSpec]:
    """The locations to serve: ``workspace_file``; else ``-m``/``-f``; else ``workspace.yaml`` in ``cwd``;
    else ``[tool.assetgraph]``."""
    if workspace_file:
        return load_workspace_file(workspace_file)
    folder = Path(cwd or os.getcwd())
    if not module and not file and (folder / "workspace.yaml").is_file():
        return load_workspace_file(folder / "workspace.yaml")
    target = find_target(module, file, attribute, cwd)
    return [LocationSpec(target.name, target)]


class CodeLocation:
    """One code-location process and what it last reported.

    ``status`` is ``LOADED`` or ``ERROR``; ``error`` holds the message and traceback of a failed
    load, a crash or a hang; ``snapshot`` is the `DefinitionsSnapshot` (None unless loaded).
    """

    def __init__(self, spec: LocationSpec, *, transport: str = "unix", load_timeout: float = 60.0,
                 request_timeout: float = 30.0, env: dict[str, str] | None = None,
                 restart_on_crash: bool = False, max_crashes: int = MAX_CRASHES) -> None:
        self.spec = spec
        self.restart_on_crash = restart_on_crash
        self.max_crashes = max_crashes
        self.transport = transport if transport == "tcp" or hasattr(__import__("socket"), "AF_UNIX") else "tcp"
        self.load_timeout = load_timeout
        self.request_timeout = request_timeout
        self.env = env
        self.status = LOADING
        self.error: str | None = None
        self.snapshot: DefinitionsSnapshot | None = None
        self.loaded_at: float | None = None
        self.load_started: float = 0.0  # when the current process was started
        self._crashes: list[float] = []  # when the process was found dead after loading, recently
        self._crash_lock = threading.Lock()
        self._closing = False
        self._process: subprocess.Popen[bytes] | None = None
        self._address: Address | None = None
        self._dir = tempfile.mkdtemp(prefix=f"assetgraph-loc-{spec.name[:20]}-")
        self._lock = threading.RLock()

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def target(self) -> CodeLocationTarget:
        return self.spec.target

    @property
    def python(self) -> str:
        return self.spec.python or sys.executable

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def __repr__(self) -> str:
        return f"CodeLocation({self.name!r}, status={self.status})"

    def start(self) -> None:
        """Start the process (without waiting for it to load)."""
        with self._lock:
            self._stop_process()
            self.load_started = time.time()
            ready = Path(self._dir) / "ready.json"
            ready.unlink(missing_ok=True)
            socket_path = Path(self._dir) / "socket"
            # Unix socket paths are limited to about 100 bytes (a long $TMPDIR on macOS exceeds it).
            unix = self.transport == "unix" and len(str(socket_path)) < 100
            listen = f"unix:{socket_path}" if unix else "tcp:127.0.0.1:0"
            cmd = [self.python, "-m", "assetgraph.codelocation.server", "--name", self.name, "--listen", listen,
                   "--ready-file", str(ready), *self.spec.target_args()]
            log = open(Path(self._dir) / "process.log", "wb")  # noqa: SIM115 - handed to the child
            try:
                self._process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                                 cwd=self.target.working_directory or None, env=self._child_env())
            finally:
                log.close()
            # Status and snapshot stay as they were until the new process reports (a reload keeps
            # showing the last good snapshot meanwhile); requests wait for the new address.
            self._address = None

    def _child_env(self) -> dict[str, str]:
        env = dict(os.environ if self.env is None else self.env)
        env.setdefault("PYTHONUNBUFFERED", "1")
        return env

    def wait_loaded(self) -> None:
        """Wait for the process to report its definitions; record ``LOADED`` or ``ERROR``."""
        with self._lock:
            ready = Path(self._dir) / "ready.json"
            deadline = time.monotonic() + self.load_timeout
            process = self._process
            while not ready.exists():
                if self._closing:
                    return self._fail("The workspace shut down while the location was loading.")
                if process is None or process.poll() is not None:
                    code = process.returncode if process is not None else None
                    message = f"The code-location process exited with code {code} while loading.\n{self._log_tail()}"
                    if process is not None and self.restart_on_crash:  # (load errors are answered, not exits)
                        with self._crash_lock:
                            return self._record_crash(message)
                    return self._fail(message)
                if time.monotonic() > deadline:
                    self._stop_process()
                    return self._fail(f"The code location did not finish loading within {self.load_timeout:g}s "
                                      f"(it hangs at import?); its process was stopped.\n{self._log_tail()}")
                time.sleep(0.01)
            self._address = Address.from_dict(json.loads(ready.read_text(encoding="utf-8")))
            try:
                self.snapshot = DefinitionsSnapshot.from_dict(self._call("snapshot", timeout=self.load_timeout))
            except RemoteError as exc:
                return self._fail(f"{exc}\n\n{exc.remote_traceback}".rstrip())
            except CodeLocationUnavailableError as exc:
                if self.restart_on_crash and process is not None and process.poll() is not None:
                    with self._crash_lock:
                        return self._record_crash(f"{exc}\n{self._log_tail()}")
                return self._fail(f"{exc}\n{self._log_tail()}")
            self.status, self.error, self.loaded_at = LOADED, None, time.time()

    def _fail(self, message: str) -> None:
        self.status, self.error, self.snapshot = ERROR, message.rstrip(), None

    def _log_tail(self, limit: int = 4000) -> str:
        path = Path(self._dir) / "process.log"
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        return text[-limit:]

    def reload(self) -> None:
        """Restart the process so it imports the code afresh, and wait for it to load."""
        self._crashes = []
        self.start()
        self.wait_loaded()

    def _crashed(self, process: subprocess.Popen[bytes]) -> None:
        """The process died after loading: restart it (``LOADING`` meanwhile) or record the error."""
        with self._crash_lock:
            if self._process is process and self.status == LOADED:
                self._record_crash(f"The code-location process exited with code {process.returncode}.\n"
                                   f"{self._log_tail()}")

    def _record_crash(self, message: str) -> None:
        now = time.time()
        self._crashes = [t for t in self._crashes if now - t < CRASH_WINDOW] + [now]
        if not self.restart_on_crash:
            return self._fail(message)
        if len(self._crashes) >= self.max_crashes:
            return self._fail(f"{message}\nIt crashed {len(self._crashes)} times within {CRASH_WINDOW:g}s and is "
                              f"no longer restarted; fix it and reload the location.")
        self.status, self.error = LOADING, f"{message.rstrip()}\nRestarting it."

    def needs_restart(self) -> bool:
        """Whether the process crashed (died while loading or after) and is due for a restart
        (``restart_on_crash``)."""
        process = self._process
        if not self.restart_on_crash or self._closing or process is None or process.poll() is None:
            return False
        self._crashed(process)  # when found dead before anyone asked it anything
        if self.status != LOADING or not self._crashes:  # (a process that died while importing is an ERROR)
            return False
        delay = 0.0 if len(self._crashes) <= 1 else min(2.0 ** (len(self._crashes) - 2), 30.0)
        return time.time() >= self._crashes[-1] + delay

    def restart(self) -> None:
        """Start the process again and wait for it, keeping the count of recent crashes."""
        self.start()
        self.wait_loaded()

    def _call(self, method: str, params: dict[str, Any] | None = None, *, timeout: float | None = None) -> Any:
        address = self._address
        if address is None:
            raise CodeLocationUnavailableError(f'Code location "{self.name}" is not loaded: {self.error or self.status}')
        try:
            return request(address, method, params, timeout=timeout or self.request_timeout)
        except CodeLocationUnavailableError:
            process = self._process
            if process is not None and process.poll() is not None:
                self._crashed(process)
            raise

    def evaluate_schedule(self, name: str, scheduled_time: float, instance_url: str | None) -> dict[str, Any]:
        """Ask the process to evaluate schedule ``name`` for the tick at ``scheduled_time``.

        Raises `RemoteError` when the schedule function raised, `CodeLocationUnavailableError`
        when the process crashed or did not answer in time.
        """
        result: dict[str, Any] = self._call("evaluate_schedule", {"name": name, "scheduled_time": scheduled_time,
                                                                  "instance_url": instance_url})
        return result

    def evaluate_sensor(self, name: str, cursor: str | None, last_tick_time: float | None,
                        instance_url: str | None) -> dict[str, Any]:
        """Ask the process to evaluate sensor ``name``; errors as for `evaluate_schedule`."""
        result: dict[str, Any] = self._call("evaluate_sensor", {"name": name, "cursor": cursor,
                                                                "last_tick_time": last_tick_time,
                                                                "instance_url": instance_url})
        return result

    def is_alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _stop_process(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()  # the process exits on SIGTERM; it holds nothing that needs flushing
        try:
            process.wait(timeout=3.0)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=3.0)

    def shutdown(self) -> None:
        """Stop the process and remove its socket directory (a load in progress gives up)."""
        self._closing = True
        with self._lock:
            self._stop_process()
            self._address = None
            shutil.rmtree(self._dir, ignore_errors=True)


class Workspace:
    """The code locations served together, each in its own process.

    >>> # with Workspace(find_workspace(module="my_project.defs")) as ws:
    >>> #     [(loc.name, loc.status) for loc in ws.locations]
    """

    def __init__(self, specs: Sequence[LocationSpec], *, transport: str = "unix", load_timeout: float = 60.0,
                 request_timeout: float = 30.0, env: dict[str, str] | None = None, start: bool = True,
                 restart_crashed: bool = False, max_crashes: int = MAX_CRASHES) -> None:
        self._locations = [CodeLocation(s, transport=transport, load_timeout=load_timeout,
                                        request_timeout=request_timeout, env=env, restart_on_crash=restart_crashed,
                                        max_crashes=max_crashes) for s in specs]
        self._busy: dict[str, threading.Thread] = {}  # location name -> its load, restart or reload thread
        if start:
            self.start()
            self.wait_loaded()

    def _in_background(self, loc: CodeLocation, action: Callable[[], None], what: str) -> bool:
        """Run ``action`` in a thread of its own unless one runs for ``loc`` already; True when started."""
        busy = self._busy.get(loc.name)
        if busy is not None and busy.is_alive():
            return False
        thread = threading.Thread(target=action, name=f"assetgraph-location-{what}-{loc.name}", daemon=True)
        self._busy[loc.name] = thread
        thread.start()
        return True

    def load_in_background(self, on_loaded: Callable[[CodeLocation], None] | None = None) -> None:
        """Wait for every started location in threads of its own (one hanging location delays no other);
        ``on_loaded`` is called with each once it is LOADED or ERROR."""
        def wait(loc: CodeLocation) -> None:
            loc.wait_loaded()
            if on_loaded is not None:
                on_loaded(loc)

        for loc in self._locations:
            self._in_background(loc, functools.partial(wait, loc), "load")

    def supervise(self, reload_requests: Mapping[str, float] | None = None) -> list[str]:
        """Restart the locations whose process crashed (``restart_crashed``), and reload
        those whose reload was requested (`request_reload`) after their process started, each in a
        thread of its own; return the names of those it started on."""
        started = []
        for loc in self._locations:
            requested = (reload_requests or {}).get(loc.name)
            if requested is not None and requested > loc.load_started:
                if self._in_background(loc, loc.reload, "reload"):
                    started.append(loc.name)
            elif loc.needs_restart() and self._in_background(loc, loc.restart, "restart"):
                started.append(loc.name)
        return started

    def reload_requests(self, instance: Any) -> dict[str, float]:
        """When a reload of each location was last requested in ``instance`` (`request_reload`)."""
        keys = [RELOAD_KEY_PREFIX + loc.name for loc in self._locations]
        stored = instance.get_kvs(keys)
        return {k[len(RELOAD_KEY_PREFIX):]: float(v) for k, v in stored.items() if v}

    def start(self) -> None:
        """Start every location's process at once (they load in parallel); see `wait_loaded`."""
        for loc in self._locations:
            loc.start()

    def wait_loaded(self) -> None:
        """Wait until every location reported LOADED or ERROR."""
        for loc in self._locations:
            loc.wait_loaded()

    @property
    def locations(self) -> list[CodeLocation]:
        return list(self._locations)

    def get(self, name: str | None) -> CodeLocation | None:
        """The location named ``name``; with None, the only location when there is exactly one."""
        if name is None:
            return self._locations[0] if len(self._locations) == 1 else None
        return next((loc for loc in self._locations if loc.name == name), None)

    def reload(self, name: str | None = None) -> None:
        """Reload one location (or all)."""
        for loc in self._locations:
            if name is None or loc.name == name:
                loc.reload()

    def shutdown(self) -> None:
        for loc in self._locations:
            loc.shutdown()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    def __iter__(self) -> Iterator[CodeLocation]:
        return iter(self._locations)
