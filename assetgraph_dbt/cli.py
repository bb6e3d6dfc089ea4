"""`DbtCliResource` and `DbtCliInvocation`: run dbt in the run's own process and turn its events
into materialisations and check results as each node finishes.

dbt calls our callback on its worker threads; a callback that raises can hang dbt, so the
callback only converts and enqueues, inside try/except. dbt runs on a helper thread while
`stream()` yields from the queue. Must not import dbt at module level.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import field_validator

from assetgraph import (
    AssetCheckResult,
    AssetCheckSeverity,
    ConfigurableResource,
    MaterializeResult,
    PartitionError,
)
from assetgraph_dbt.assets import DbtAssetsInfo, dbt_info_of
from assetgraph_dbt.project import DbtProject
from assetgraph_dbt.runner import DbtOutcome, run_dbt, warehouse_locks

log = logging.getLogger("assetgraph_dbt")

ASSET_STATUSES_OK = frozenset({"success"})
TEST_STATUSES = frozenset({"pass", "fail", "warn", "error"})
_SELECT_FLAGS = frozenset({"--select", "-s", "--models", "-m", "--exclude", "--selector"})
_DONE = object()


class DbtCliError(RuntimeError):
    """dbt failed: a model errored, or dbt could not run at all. The message is dbt's."""


class DbtCliResource(ConfigurableResource):
    """Runs dbt commands for a dbt project, in this process.

    >>> DbtCliResource(project_dir="dbt_project", target="dev").target
    'dev'
    """

    project_dir: str
    profiles_dir: str | None = None
    target: str | None = None
    column_lineage: bool = True

    @field_validator("project_dir", "profiles_dir", mode="before")
    @classmethod
    def _path_as_str(cls, value: Any) -> Any:
        return os.fspath(value) if isinstance(value, os.PathLike) else value

    @property
    def project(self) -> DbtProject:
        return DbtProject(self.project_dir, self.profiles_dir, self.target)

    def cli(self, args: Sequence[str], *, context: Any = None) -> DbtCliInvocation:
        """Prepare ``dbt <args>``; nothing runs until `DbtCliInvocation.stream` or `.wait` is called.

        With ``context`` (inside a `@dbt_assets` function) the selected assets and checks become
        dbt's ``--select`` and a partitioned run's window becomes ``--vars``.
        """
        return DbtCliInvocation(self, list(args), context)


@dataclass
class _RunState:
    failures: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    outcome: DbtOutcome | None = None
    error: BaseException | None = None


class DbtCliInvocation:
    """One dbt invocation; iterate `stream()` from a `@dbt_assets` function."""

    def __init__(self, resource: DbtCliResource, args: list[str], context: Any) -> None:
        self.resource = resource
        self.project = resource.project
        self.context = context
        self.info: DbtAssetsInfo | None = dbt_info_of(context.assets_def) if context is not None else None
        self.args = self._full_args(args)
        self.state = _RunState()
        self._lineage: Any = None
        self._check_by_uid = {uid: ck for ck, uid in self.info.check_uids.items()} if self.info is not None else {}

    # -- arguments -------------------------------------------------------------------------
    def _full_args(self, args: list[str]) -> list[str]:
        out = list(args)
        if self.info is not None and not _SELECT_FLAGS & set(args):
            out += selection_args(self.info, self.context)
        partition_vars = partition_vars_of(self.context) if self.context is not None else {}
        if partition_vars:
            out = _merge_vars(out, partition_vars)
        return out

    # -- running ---------------------------------------------------------------------------
    def stream(self) -> Iterator[MaterializeResult | AssetCheckResult]:
        """Yield a `MaterializeResult` per model, seed or snapshot that dbt built and an
        `AssetCheckResult` per test, as dbt reports them. Models dbt skipped are not reported.
        After the last event, raises `DbtCliError` (dbt's message and file) if a model failed
        or dbt could not run."""
        events: queue.Queue[Any] = queue.Queue()
        thread = threading.Thread(target=self._run, args=(events,), name="assetgraph-dbt", daemon=True)
        thread.start()
        try:
            while True:
                item = events.get()
                if item is _DONE:
                    break
                yield from self._translate(item)
        finally:
            thread.join()
        self._raise_for_failures()

    def wait(self) -> list[MaterializeResult | AssetCheckResult]:
        """Run to the end and return what `stream()` would have yielded."""
        return list(self.stream())

    def _run(self, events: queue.Queue[Any]) -> None:
        def callback(ev: Any) -> None:
            try:
                if ev.info.name == "NodeFinished":
                    from google.protobuf.json_format import MessageToDict

                    events.put(MessageToDict(ev.data, preserving_proto_field_name=True))
            except Exception:  # a callback that raises can hang dbt: log and go on
                log.exception("assetgraph_dbt could not read a dbt event")

        try:
            with warehouse_locks(self.project):
                self.state.outcome = run_dbt(self.args, self.project, [callback])
        except BaseException as exc:
            self.state.error = exc
        finally:
            events.put(_DONE)

    def _raise_for_failures(self) -> None:
        s = self.state
        if s.error is not None:
            raise DbtCliError(f"dbt {' '.join(self.args[:1])} could not run: {s.error}") from s.error
        assert s.outcome is not None  # _run always sets outcome or error
        if s.failures:
            raise DbtCliError(f"dbt {self.args[0]} failed in {self.project.project_dir}:\n" + "\n".join(s.failures))
        if s.outcome.exception is not None:
            raise DbtCliError(f"dbt {self.args[0]} failed in {self.project.project_dir}: {s.outcome.message}")

    # -- events ----------------------------------------------------------------------------
    def _translate(self, data: Mapping[str, Any]) -> Iterator[MaterializeResult | AssetCheckResult]:
        node_info = data.get("node_info", {})
        uid = node_info.get("unique_id", "")
        result = data.get("run_result", {})
        status = str(result.get("status") or node_info.get("node_status") or "").lower()
        resource_type = node_info.get("resource_type")
        if status == "skipped":
            self.state.skipped.append(uid)
            return
        if resource_type == "test":
            yield from self._check_result(uid, status, result)
        elif resource_type in ("model", "seed", "snapshot") and node_info.get("materialized") != "ephemeral":
            if status in ASSET_STATUSES_OK:
                yield from self._materialization(uid, node_info, result)
            else:
                message = result.get("message") or status
                self.state.failures.append(f"  {uid}: {message}")

    def _materialization(self, uid: str, node_info: Mapping[str, Any],
                         result: Mapping[str, Any]) -> Iterator[MaterializeResult]:
        if self.info is None:
            return
        key = self.info.key_by_uid.get(uid)
        if key is None or key not in self.info.uid_by_key or key not in self.context.selected_asset_keys:
            return
        metadata: dict[str, Any] = {"dbt/unique_id": uid}
        relation = node_info.get("node_relation", {}).get("relation_name")
        if relation:
            metadata["relation_name"] = relation
        if "execution_time" in result:
            metadata["execution_time"] = float(result["execution_time"])
        rows = result.get("adapter_response", {}).get("rows_affected")
        if rows is not None:
            metadata["rows_affected"] = int(rows)
        if self.resource.column_lineage and node_info.get("resource_type") == "model":
            lineage = self._column_lineage(uid)
            if lineage:
                metadata["column_lineage"] = lineage
        yield MaterializeResult(asset_key=key, metadata=metadata)

    def _check_result(self, uid: str, status: str, result: Mapping[str, Any]) -> Iterator[AssetCheckResult]:
        if self.info is None or status not in TEST_STATUSES:
            return
        check_key = self._check_by_uid.get(uid)
        if check_key is None or check_key not in self.context.selected_asset_check_keys:
            return
        metadata: dict[str, Any] = {"dbt/unique_id": uid, "dbt/status": status}
        if status in ("fail", "warn", "pass"):  # protobuf leaves out zero counts
            metadata["failures"] = int(result.get("num_failures") or result.get("failures") or 0)
        if "execution_time" in result:
            metadata["execution_time"] = float(result["execution_time"])
        if status == "error" and result.get("message"):
            metadata["error"] = str(result["message"])
        yield AssetCheckResult(
            passed=status == "pass", asset_key=check_key.asset_key, check_name=check_key.name, metadata=metadata,
            severity=AssetCheckSeverity.WARN if status == "warn" else AssetCheckSeverity.ERROR,
            description=str(result.get("message")) if result.get("message") else None,
        )

    def _column_lineage(self, uid: str) -> dict[str, Any] | None:
        from assetgraph_dbt.lineage import LineageReader

        if self._lineage is None:
            if self.info is None:
                return None
            try:
                self._lineage = LineageReader(self.project, self.info.key_by_uid)
            except (OSError, ValueError) as exc:
                # dbt rewrites manifest.json while it runs (a change of vars re-parses): try again with
                # the next model rather than fail a run over lineage.
                log.warning("Column lineage not available yet (manifest.json unreadable: %s)", exc)
                return None
        try:
            return self._lineage.for_model(uid)
        except Exception as exc:  # lineage is a nicety: a SQL dialect sqlglot cannot read must not fail the run
            log.warning("No column lineage for %s: %s", uid, exc)
            return None


def selection_args(info: DbtAssetsInfo, context: Any) -> list[str]:
    """dbt's selection for the assets and checks the run selected: the definition's own
    ``select``/``exclude`` when everything is selected, else each node by its fqn with
    indirect selection off (so only the selected tests run)."""
    keys = set(context.selected_asset_keys)
    checks = set(context.selected_asset_check_keys)
    if keys == set(info.uid_by_key) and checks == set(info.check_uids):
        return ["--select", info.select, *(["--exclude", info.exclude] if info.exclude else [])]
    uids = [info.uid_by_key[k] for k in sorted(keys) if k in info.uid_by_key]
    uids += [info.check_uids[c] for c in sorted(checks) if c in info.check_uids]
    return ["--select", *("fqn:" + ".".join(info.fqn_by_uid[u]) for u in uids), "--indirect-selection", "empty"]


def partition_vars_of(context: Any) -> dict[str, str]:
    """``partition_key`` for a single-partition run; ``partition_start``/``partition_end``
    (ISO 8601, end exclusive) spanning the whole window for time-window partitions."""
    if getattr(context, "partitions_def", None) is None:
        return {}
    out: dict[str, str] = {}
    if context.has_partition_key:
        out["partition_key"] = context.partition_key
    try:
        window = context.partition_time_window
    except PartitionError:
        return out
    out["partition_start"] = window.start.isoformat()
    out["partition_end"] = window.end.isoformat()
    return out


def _merge_vars(args: list[str], extra: Mapping[str, str]) -> list[str]:
    if "--vars" not in args:
        return [*args, "--vars", json.dumps(dict(extra))]
    import yaml

    i = args.index("--vars")
    given = yaml.safe_load(args[i + 1]) or {}
    return [*args[: i + 1], json.dumps({**given, **extra}), *args[i + 2:]]
