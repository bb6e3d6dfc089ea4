"""`AssetGraphClient`: launch and watch work on an assetgraph server from Python scripts, CI jobs
and notebooks, over the server's GraphQL API.

Standard library only (``urllib.request``), so it needs no extra dependency; it imports nothing
from the server.

    >>> client = AssetGraphClient("http://127.0.0.1:3000")
    >>> client.graphql_url
    'http://127.0.0.1:3000/graphql'
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assetgraph.definitions.events import RunStatus
from assetgraph.definitions.keys import AssetKey, CoercibleToAssetKey, coerce_asset_key

_RUN_FIELDS = "id status createTime startTime endTime partitionKey assetSelection { path } tags { key value }"


class AssetGraphClientError(Exception):
    """The server refused a request or answered with GraphQL errors; the message is the server's."""


class RunWaitTimeout(AssetGraphClientError, TimeoutError):
    """`wait_for_run` gave up before the run finished."""


@dataclass(frozen=True)
class RunInfo:
    """A run as the server reports it."""

    run_id: str
    status: RunStatus
    create_time: float
    start_time: float | None
    end_time: float | None
    partition_key: str | None
    asset_selection: tuple[AssetKey, ...]
    tags: Mapping[str, str]


@dataclass(frozen=True)
class StatusRange:
    start: str
    end: str
    status: str
    count: int


@dataclass(frozen=True)
class PartitionStatusInfo:
    """How many partitions of an asset exist and are in each status, and the status as key ranges."""

    total: int
    materialized: int
    failed: int
    in_progress: int
    missing: int
    ranges: tuple[StatusRange, ...]


class AssetGraphClient:
    """A client of an assetgraph server's GraphQL API.

    Args:
        url: the server's base URL (``http://127.0.0.1:3000``) or its ``/graphql`` endpoint.
        token: the server's API token (``ASSETGRAPH_API_TOKEN``), needed for launches when set.
        timeout: seconds to wait for each HTTP response.

    Raises `AssetGraphClientError` with the server's message when a request fails.
    """

    def __init__(self, url: str, token: str | None = None, timeout: float = 30.0) -> None:
        base = url.rstrip("/")
        self.graphql_url = base if base.endswith("/graphql") else base + "/graphql"
        self._token = token
        self._timeout = timeout

    def query(self, document: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Run a GraphQL document and return its ``data``; raises `AssetGraphClientError` on errors."""
        body = json.dumps({"query": document, "variables": dict(variables or {})}).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json", "X-Assetgraph-Request": "1"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        request = urllib.request.Request(self.graphql_url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                payload = json.loads(response.read().decode())
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:500]
            raise AssetGraphClientError(f"{self.graphql_url} answered HTTP {exc.code}: {detail}") from exc
        except urllib.error.URLError as exc:
            raise AssetGraphClientError(f"Cannot reach {self.graphql_url}: {exc.reason}. Is the server running?") from exc
        if payload.get("errors"):
            raise AssetGraphClientError("; ".join(e.get("message", str(e)) for e in payload["errors"]))
        data: dict[str, Any] = payload.get("data") or {}
        return data

    def materialize(self, selection: str, partition_key: str | None = None,
                    tags: Mapping[str, str] | None = None) -> str:
        """Queue a run of ``selection`` (the selection syntax, e.g. ``"key:raw/orders+"``); return its id."""
        data = self.query(
            "mutation($s: String!, $p: String, $t: [TagInput!]) { launchRun(selection: $s, partitionKey: $p, tags: $t)"
            " { id } }", {"s": selection, "p": partition_key, "t": _tags(tags)})
        return str(data["launchRun"]["id"])

    def launch_backfill(self, selection: str, partition_range: tuple[str, str] | Any | None = None,
                        partitions: Sequence[str] | None = None, tags: Mapping[str, str] | None = None) -> str:
        """Request a backfill over an inclusive ``partition_range`` (start, end) or a list of
        ``partitions`` (exactly one); return the backfill id."""
        if (partition_range is None) == (partitions is None):
            raise ValueError("Give exactly one of partition_range=(start, end) or partitions=[...].")
        rng = None
        if partition_range is not None:
            start, end = (partition_range if isinstance(partition_range, tuple)
                          else (partition_range.start, partition_range.end))
            rng = {"start": start, "end": end}
        data = self.query(
            "mutation($s: String!, $r: PartitionRangeInput, $k: [String!], $t: [TagInput!]) {"
            " launchBackfill(selection: $s, partitionRange: $r, partitionKeys: $k, tags: $t) { id } }",
            {"s": selection, "r": rng, "k": list(partitions) if partitions is not None else None, "t": _tags(tags)})
        return str(data["launchBackfill"]["id"])

    def get_run(self, run_id: str) -> RunInfo | None:
        """The run with ``run_id``, or None."""
        data = self.query(f"query($id: String!) {{ run(id: $id) {{ {_RUN_FIELDS} }} }}", {"id": run_id})
        run = data.get("run")
        return _run_info(run) if run else None

    def wait_for_run(self, run_id: str, timeout: float = 600.0, poll_interval: float = 0.5) -> RunStatus:
        """Poll until the run finishes; return its final status (SUCCESS, FAILURE or CANCELED).

        Raises `RunWaitTimeout` after ``timeout`` seconds and `AssetGraphClientError` for an unknown run.
        """
        deadline = time.monotonic() + timeout
        while True:
            run = self.get_run(run_id)
            if run is None:
                raise AssetGraphClientError(f"No run with id {run_id!r} on {self.graphql_url}.")
            if run.status.is_finished:
                return run.status
            if time.monotonic() >= deadline:
                raise RunWaitTimeout(f"Run {run_id} is still {run.status.value} after {timeout:g} s.")
            time.sleep(min(poll_interval, max(0.0, deadline - time.monotonic())))

    def get_partition_status(self, key: CoercibleToAssetKey) -> PartitionStatusInfo:
        """Partition counts of an asset and its status as ranges over the ordered key space."""
        path = list(coerce_asset_key(key).path)
        data = self.query(
            "query($k: [String!]!) { assetNode(key: $k) { partitionStats { total materialized failed inProgress"
            " missing } partitionStatusRanges { start end status count } } }", {"k": path})
        node = data.get("assetNode")
        if node is None:
            raise AssetGraphClientError(f'No asset "{"/".join(path)}" on {self.graphql_url}.')
        stats = node["partitionStats"]
        return PartitionStatusInfo(
            total=stats["total"], materialized=stats["materialized"], failed=stats["failed"],
            in_progress=stats["inProgress"], missing=stats["missing"],
            ranges=tuple(StatusRange(r["start"], r["end"], r["status"], r["count"])
                         for r in node["partitionStatusRanges"]))

    def cancel_run(self, run_id: str) -> RunStatus:
        """Ask a run to stop; return its status afterwards (CANCELING)."""
        data = self.query("mutation($id: String!) { cancelRun(runId: $id) { status } }", {"id": run_id})
        return RunStatus(data["cancelRun"]["status"])

    def reexecute_run(self, run_id: str, from_failure: bool = True) -> str:
        """Queue a re-execution of a finished run (by default only what did not succeed); return its id."""
        data = self.query("mutation($id: String!, $f: Boolean!) { reexecuteRun(runId: $id, fromFailure: $f) { id } }",
                          {"id": run_id, "f": from_failure})
        return str(data["reexecuteRun"]["id"])


def _tags(tags: Mapping[str, str] | None) -> list[dict[str, str]] | None:
    return [{"key": k, "value": v} for k, v in tags.items()] if tags else None


def _run_info(run: Mapping[str, Any]) -> RunInfo:
    return RunInfo(
        run_id=run["id"], status=RunStatus(run["status"]), create_time=run["createTime"],
        start_time=run.get("startTime"), end_time=run.get("endTime"), partition_key=run.get("partitionKey"),
        asset_selection=tuple(AssetKey(k["path"]) for k in run.get("assetSelection", [])),
        tags={t["key"]: t["value"] for t in run.get("tags", [])})
