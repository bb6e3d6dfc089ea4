"""Running dbt-core's programmatic runner (`dbtRunner`) in this process.

dbt is imported here, inside functions, and nowhere at import time. One invocation runs per
process at a time (dbt's event manager and adapter registry are process-global), and
invocations that share a DuckDB file or a target folder queue on file locks.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assetgraph import interprocess_lock
from assetgraph_dbt.locks import PROCESS_LOCK, file_locks

if TYPE_CHECKING:
    from assetgraph_dbt.project import DbtProject

_ENV_VAR = re.compile(r"\{\{\s*env_var\(\s*['\"]([^'\"]+)['\"]\s*(?:,\s*['\"]([^'\"]*)['\"]\s*)?\)\s*\}\}")
_PATH_FLAGS = {"--project-dir", "--profiles-dir", "--target", "-t", "--target-path", "--log-path"}


@dataclass(frozen=True)
class DbtOutcome:
    """What `dbtRunner.invoke` returned, reduced to what we report."""

    success: bool
    message: str
    exception: BaseException | None = None
    result: Any = None


def dbt_args(args: Sequence[str], project: DbtProject) -> list[str]:
    """``args`` plus the project, profile, target and the target/log folders inside ``target/``."""
    given = set(args)
    out = list(args)
    extra = {
        "--project-dir": str(project.project_dir),
        "--profiles-dir": str(profiles_dir) if (profiles_dir := project.effective_profiles_dir()) else None,
        "--target": project.target,
        "--target-path": str(project.target_dir.resolve()),
        "--log-path": str((project.target_dir / "logs").resolve()),
    }
    for flag, value in extra.items():
        if value is not None and flag not in given and not (flag == "--target" and "-t" in given):
            out += [flag, value]
    if not given & {"--log-level-file", "--log-file-max-bytes"}:
        # dbt reopens its log file on every invoke without closing the last one: one leaked
        # file per run in a long-lived process. Users who want dbt.log pass --log-level-file.
        out += ["--log-level-file", "none"]
    if "--send-anonymous-usage-stats" not in given:
        out.append("--no-send-anonymous-usage-stats")
    return out


def run_dbt(args: Sequence[str], project: DbtProject, callbacks: Sequence[Callable[[Any], None]]) -> DbtOutcome:
    """Invoke dbt in this process with ``callbacks``; never raises for dbt's own failures."""
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    full = dbt_args(args, project)
    with PROCESS_LOCK:
        from dbt.cli.main import dbtRunner

        res = dbtRunner(callbacks=list(callbacks)).invoke(full)
    message = ""
    if res.exception is not None:
        message = f"{type(res.exception).__name__}: {res.exception}"
    elif not res.success:
        message = "; ".join(_failure_messages(res.result)) or "dbt reported failure"
    return DbtOutcome(bool(res.success), message, res.exception, res.result)


def _failure_messages(result: Any) -> list[str]:
    out = []
    for r in getattr(result, "results", None) or ():
        status = str(getattr(r, "status", ""))
        if status.lower() in ("error", "fail", "runtime error"):
            out.append(str(getattr(r, "message", "") or status))
    return out


@contextmanager
def warehouse_locks(project: DbtProject) -> Iterator[None]:
    """Hold the lock of every DuckDB file the project's target writes, then of its target folder.

    It is the same lock assetgraph's DuckDB IO manager takes (`interprocess_lock` on the file), so
    a dbt step and a pandas step on one warehouse queue. A file that dbt-duckdb keeps open (its
    default, ``keep_open``) stays locked until this process exits; the others are released when
    the block ends.
    """
    output = _target_output(project)
    with ExitStack() as stack:
        for database in sorted(duckdb_paths(project, output)):
            keep = output is None or output.get("keep_open", True) is not False
            stack.enter_context(interprocess_lock(database, until_exit=keep))
        stack.enter_context(file_locks([project.target_dir / ".assetgraph.lock"]))
        yield


def duckdb_paths(project: DbtProject, output: dict[str, Any] | None = None) -> list[Path]:
    """The DuckDB files the project's target opens (its ``path`` and ``attach`` entries)."""
    output = output if output is not None else _target_output(project)
    if output is None or output.get("type") != "duckdb":
        return []
    found = [output.get("path", ":memory:")]
    found += [a.get("path") for a in output.get("attach", []) or [] if isinstance(a, dict)]
    out = []
    for p in found:
        if not isinstance(p, str) or p.startswith((":memory:", "md:", "motherduck:")) or "://" in p:
            continue
        out.append(Path(p) if os.path.isabs(p) else Path.cwd() / p)  # dbt-duckdb resolves against the cwd
    return out


def _target_output(project: DbtProject) -> dict[str, Any] | None:
    import yaml

    profile_file = project.profiles_file()
    project_file = project.project_dir / "dbt_project.yml"
    if profile_file is None or not project_file.exists():
        return None
    profile_name = (yaml.safe_load(project_file.read_text()) or {}).get("profile")
    rendered = _ENV_VAR.sub(lambda m: os.environ.get(m.group(1), m.group(2) or ""), profile_file.read_text())
    profile = (yaml.safe_load(rendered) or {}).get(profile_name) or {}
    outputs = profile.get("outputs") or {}
    target = project.target or os.environ.get("DBT_TARGET") or profile.get("target")
    output = outputs.get(target)
    return output if isinstance(output, dict) else None
