"""`assetgraph check`: run the asset checks of a selection and report them for people and for CI
(a summary table, JUnit XML, GitHub Actions annotations); also the engine the pytest plugin uses.

Checks run against the latest stored values of the instance, or, with ``--materialize``, against
values materialised first into an ephemeral instance. Exit codes: 0 when no ERROR check failed,
1 when one did (or a check could not run), 2 for usage or definition errors. WARN failures are
reported and fail only with ``--strict``.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from assetgraph.definitions.errors import AssetGraphError
from assetgraph.definitions.events import AssetCheckSeverity, EventRecord, EventType
from assetgraph.definitions.keys import AssetCheckKey, AssetKey

if TYPE_CHECKING:
    from assetgraph.definitions.definitions import Definitions
    from assetgraph.definitions.source import SourceLocation
    from assetgraph.execution.materialize import ExecuteResult
    from assetgraph.graph.asset_graph import AssetGraph

PASSED, FAILED, ERRORED, SKIPPED = "passed", "failed", "errored", "skipped"


@dataclass(frozen=True)
class CheckOutcome:
    """What happened to one check (for one partition) in `run_checks`.

    ``status`` is ``passed``, ``failed`` (the check returned ``passed=False``; see ``severity``),
    ``errored`` (it raised, or could not run because what it checks failed) or ``skipped`` (not
    evaluated, for a reason that fails nothing by itself, such as a failed blocking check upstream).
    """

    check_key: AssetCheckKey
    status: str
    severity: AssetCheckSeverity = AssetCheckSeverity.ERROR
    partition: str | None = None
    description: str | None = None
    message: str = ""
    metadata: Mapping[str, Any] = field(default_factory=dict)
    traceback: str | None = None
    source: SourceLocation | None = None
    is_blocking: bool = False
    duration: float = 0.0
    run_id: str | None = None

    @property
    def name(self) -> str:
        """``ASSET:CHECK``, plus ``[PARTITION]`` for a partitioned evaluation: the JUnit test name."""
        text = self.check_key.to_user_string()
        return f"{text}[{self.partition}]" if self.partition is not None else text

    @property
    def is_warning(self) -> bool:
        return self.status == FAILED and self.severity == AssetCheckSeverity.WARN

    def fails_build(self, strict: bool = False) -> bool:
        if self.status == ERRORED:
            return True
        return self.status == FAILED and (self.severity == AssetCheckSeverity.ERROR or strict)

    @property
    def label(self) -> str:
        if self.status == FAILED:
            return "WARN" if self.is_warning else "FAIL"
        return {PASSED: "PASS", ERRORED: "ERROR", SKIPPED: "SKIP"}[self.status]

    @property
    def summary(self) -> str:
        """One line: the message or description, for tables and annotations."""
        text = self.message or self.description or ""
        return text.strip().splitlines()[0] if text.strip() else ""


@dataclass
class CheckReport:
    outcomes: list[CheckOutcome]
    notes: list[str] = field(default_factory=list)
    duration: float = 0.0

    def exit_code(self, strict: bool = False) -> int:
        return 1 if any(o.fails_build(strict) for o in self.outcomes) else 0

    def counts(self) -> dict[str, int]:
        labels = [o.label for o in self.outcomes]
        return {label: labels.count(label) for label in ("PASS", "FAIL", "WARN", "ERROR", "SKIP")}


# -- running checks ----------------------------------------------------------------------------


def run_checks(defs: Definitions, instance: Any, *, selection: str | None = None, partition: str | None = None,
               materialize: bool = False) -> CheckReport:
    """Run the checks ``selection`` picks (every check when None) and return their outcomes.

    Without ``materialize`` the checks evaluate the latest values stored in ``instance``
    (checks that an asset reports itself are read back from their latest stored result). With
    it, the assets the checks need (and their upstream assets) are materialised into
    ``instance`` first, in the same run. For a partitioned asset the partition is ``partition``,
    else the latest materialised one (or, when materialising, the last one that exists).

    Raises `SelectionError`, `PartitionError` or `DefinitionError` when the request does not fit.
    """
    from assetgraph.graph.selection import AssetSelection

    started = time.perf_counter()
    graph = defs.get_asset_graph()
    sel = AssetSelection.from_string(selection) if selection else AssetSelection.all()
    checks = sorted(sel.resolve_checks(graph))
    report = CheckReport([])
    if not checks:
        report.notes.append(f"No asset checks in the selection {selection or '*'!r}.")
    for part, group in _partition_groups(graph, checks, partition, materialize, instance).items():
        if materialize:
            report.outcomes += _materialize_and_check(defs, graph, group, part, instance)
        else:
            report.outcomes += _check_stored(defs, graph, group, part, instance)
    report.outcomes.sort(key=lambda o: (o.check_key, o.partition or ""))
    report.duration = time.perf_counter() - started
    return report


def _check_step_partitions_def(graph: AssetGraph, ck: AssetCheckKey) -> Any:
    from assetgraph.definitions.check_factories import ALL_PARTITIONS_METADATA_KEY

    spec = graph.check_def_for(ck)
    specs = [s for s in spec.check_specs if s.key == ck]
    if specs and specs[0].metadata.get(ALL_PARTITIONS_METADATA_KEY):
        return None
    return graph.get(ck.asset_key).partitions_def


def _partition_groups(graph: AssetGraph, checks: Sequence[AssetCheckKey], partition: str | None, materialize: bool,
                      instance: Any) -> dict[str | None, list[AssetCheckKey]]:
    """Checks grouped by the partition key their run needs (None: unpartitioned)."""
    now = datetime.now(UTC)
    groups: dict[str | None, list[AssetCheckKey]] = {}
    for ck in checks:
        pdef = _check_step_partitions_def(graph, ck)
        if materialize and pdef is None:
            pdef = next((graph.get(k).partitions_def for k in _assets_to_materialize(graph, [ck])
                         if graph.get(k).partitions_def is not None), None)
        key = None
        if pdef is not None:
            key = partition or (_last_key(pdef, now, instance) if materialize else
                                _latest_stored_partition(instance, ck.asset_key, pdef, now))
        groups.setdefault(key, []).append(ck)
    return groups


def _last_key(pdef: Any, now: datetime, instance: Any) -> str | None:
    return pdef.get_last_partition_key(current_time=now, dynamic_partitions_store=instance)


def _latest_stored_partition(instance: Any, key: AssetKey, pdef: Any, now: datetime) -> str | None:
    record = instance.get_latest_materialization_event(key)
    if record is not None and record.partition is not None:
        return record.partition
    if record is not None and record.partition_range is not None:
        return record.partition_range[1]
    return _last_key(pdef, now, instance)


def _assets_to_materialize(graph: AssetGraph, checks: Iterable[AssetCheckKey]) -> set[AssetKey]:
    from assetgraph.execution.plan import checks_def_for

    targets: set[AssetKey] = set()
    for ck in checks:
        targets.add(ck.asset_key)
        cdef = checks_def_for(graph, ck)
        if cdef is not None:
            targets |= {d.asset_key for s in cdef.check_specs for d in s.additional_deps}
    return {k for k in graph.with_upstream(targets) if graph.get(k).is_executable}


def _materialize_and_check(defs: Definitions, graph: AssetGraph, group: list[AssetCheckKey], part: str | None,
                           instance: Any) -> list[CheckOutcome]:
    from assetgraph.execution.materialize import execute_definitions

    external = [ck for ck in group if not graph.get(ck.asset_key).is_executable]
    outcomes = [_outcome(graph, ck, SKIPPED, message=f'"{ck.asset_key.to_user_string()}" is an external asset: '
                         "--materialize has no value of it to check") for ck in external]
    runnable = [ck for ck in group if ck not in external]
    if runnable:
        result = execute_definitions(defs, selection=sorted(_assets_to_materialize(graph, runnable)),
                                     check_keys=runnable, partition_key=part, instance=instance,
                                     raise_on_error=False, tags={"assetgraph/check": "materialize"})
        outcomes += _outcomes_of_run(graph, result, runnable, instance, stored=False)
    return outcomes


def _check_stored(defs: Definitions, graph: AssetGraph, group: list[AssetCheckKey], part: str | None,
                  instance: Any) -> list[CheckOutcome]:
    from assetgraph.execution.materialize import execute_definitions
    from assetgraph.execution.plan import checks_def_for
    from assetgraph.graph.selection import AssetSelection

    runnable = [ck for ck in group if checks_def_for(graph, ck) is not None]
    outcomes = [_stored_result(graph, ck, part, instance) for ck in group if ck not in runnable]
    if runnable:
        uses_partition = any(_check_step_partitions_def(graph, ck) is not None for ck in runnable)
        result = execute_definitions(defs, selection=AssetSelection.checks(*runnable),
                                     partition_key=part if uses_partition else None, instance=instance,
                                     raise_on_error=False, tags={"assetgraph/check": "stored"})
        outcomes += _outcomes_of_run(graph, result, runnable, instance, stored=True)
    return outcomes


def _stored_result(graph: AssetGraph, ck: AssetCheckKey, part: str | None, instance: Any) -> CheckOutcome:
    """A check the asset function reports runs only with the asset: show its latest stored result."""
    evaluation = instance.get_latest_check_result(ck, partition=part)
    if evaluation is None:
        return _outcome(graph, ck, SKIPPED, partition=part,
                        message="Reported by its asset when it materialises, and never evaluated yet; "
                                "run with --materialize to evaluate it")
    status = PASSED if evaluation.passed else FAILED
    return _outcome(graph, ck, status, severity=evaluation.severity, partition=evaluation.partition,
                    description=evaluation.description, metadata=_plain(evaluation.metadata),
                    message=f"Latest result, reported by the asset in run {evaluation.run_id}",
                    run_id=evaluation.run_id)


def _outcome(graph: AssetGraph, ck: AssetCheckKey, status: str, **kw: Any) -> CheckOutcome:
    owner = graph.check_def_for(ck)
    spec = next((s for s in owner.check_specs if s.key == ck), None)
    if kw.get("description") is None and spec is not None:
        kw["description"] = spec.description
    return CheckOutcome(ck, status, source=getattr(owner, "source", None),
                        is_blocking=bool(spec is not None and spec.blocking), **kw)


def _plain(metadata: Mapping[str, Any]) -> dict[str, Any]:
    return {k: getattr(v, "value", v) for k, v in metadata.items()}


def _outcomes_of_run(graph: AssetGraph, result: ExecuteResult, checks: list[AssetCheckKey], instance: Any,
                     stored: bool) -> list[CheckOutcome]:
    events = result.all_events
    started = {r.step_key: r.timestamp for r in events if r.event_type == EventType.STEP_START}
    skips = {r.step_key or "": str(r.data.get("reason", r.message)) for r in events
             if r.event_type == EventType.STEP_SKIPPED and r.asset_key is None}
    failures = {r.step_key: r for r in events if r.event_type == EventType.STEP_FAILURE}
    by_check: dict[AssetCheckKey, list[EventRecord]] = {}
    for r in result.get_asset_check_evaluations():
        if r.check_key is not None:
            by_check.setdefault(r.check_key, []).append(r)
    out = []
    for ck in checks:
        step = next((s for s in result.plan.steps if ck in s.check_keys), None)
        step_key = step.key if step is not None else ""
        for r in by_check.get(ck, []):
            out.append(_outcome_of_evaluation(graph, ck, r, r.timestamp - started.get(step_key, r.timestamp), stored,
                                              instance, result.run_id))
        if ck not in by_check:
            reported_by_asset = step is not None and step.kind == "asset"
            out.append(_outcome_not_evaluated(graph, ck, step_key, reported_by_asset, skips, failures, result.run_id))
    return out


def _outcome_of_evaluation(graph: AssetGraph, ck: AssetCheckKey, r: EventRecord, duration: float, stored: bool,
                           instance: Any, run_id: str) -> CheckOutcome:
    common: dict[str, Any] = {"partition": r.partition, "duration": max(duration, 0.0), "run_id": run_id,
                              "metadata": _plain(r.metadata), "description": r.data.get("description")}
    if r.error is not None:
        root = r.error.cause or r.error
        message = f"{root.cls_name}: {root.message}"
        if stored and instance.get_latest_materialization_event(ck.asset_key, partition=r.partition) is None:
            message += (f'\n"{ck.asset_key.to_user_string()}" has no materialization in this instance: run '
                        "`assetgraph materialize` first, or `assetgraph check --materialize`.")
        return _outcome(graph, ck, ERRORED, message=message, traceback=root.traceback, **common)
    status = PASSED if r.passed else FAILED
    return _outcome(graph, ck, status, severity=r.severity or AssetCheckSeverity.ERROR, **common)


_SKIPPED_UPSTREAM = re.compile(r"upstream step '(.+)' was skipped")


def _outcome_not_evaluated(graph: AssetGraph, ck: AssetCheckKey, step: str, reported_by_asset: bool,
                           skips: Mapping[str, str], failures: Mapping[str | None, EventRecord],
                           run_id: str) -> CheckOutcome:
    failure = failures.get(step)
    if failure is not None:
        what = "The asset that reports this check failed" if reported_by_asset else "The check's step failed"
        return _outcome(graph, ck, ERRORED, message=f"{what}: {failure.message}", run_id=run_id,
                        traceback=failure.error.traceback if failure.error else None)
    reason = skips.get(step, "it was not evaluated")
    root = reason
    seen = {step}
    while (m := _SKIPPED_UPSTREAM.fullmatch(root)) and m.group(1) in skips and m.group(1) not in seen:
        seen.add(m.group(1))
        root = skips[m.group(1)]
    status = SKIPPED if root.startswith("blocking check") else ERRORED
    text = f"Not evaluated: {reason}" + (f" (because {root})" if root != reason else "")
    return _outcome(graph, ck, status, message=text, run_id=run_id)


# -- reporting ---------------------------------------------------------------------------------


def print_table(report: CheckReport, strict: bool, echo: Any = click.echo) -> None:
    """The human-readable summary: one row per check, details of what failed, and totals."""
    rows = [(o.label, o.severity.value if o.status == FAILED else "-", o.name, o.summary) for o in report.outcomes]
    header = ("STATUS", "SEVERITY", "CHECK", "DETAILS")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
    for label, severity, name, details in [header, *rows]:
        echo(f"{label:<{widths[0]}}  {severity:<{widths[1]}}  {name:<{widths[2]}}  {details[:100]}".rstrip())
    problems = [o for o in report.outcomes if o.status in (FAILED, ERRORED)]
    for o in problems:
        where = f"  ({o.source})" if o.source else ""
        echo(f"\n{o.label} {o.name}{' [blocking]' if o.is_blocking else ''}{where}")
        for line in (o.message or o.description or "").strip().splitlines():
            echo(f"    {line}")
        if o.message and o.description and o.description not in o.message:
            echo(f"    {o.description}")
        for k, v in o.metadata.items():
            echo(f"    {k}: {v}")
    counts = report.counts()
    total = ", ".join(f"{n} {label.lower()}" for label, n in
                      (("passed", counts["PASS"]), ("failed", counts["FAIL"]), ("warned", counts["WARN"]),
                       ("errored", counts["ERROR"]), ("skipped", counts["SKIP"])) if n)
    echo(f"\n{total or 'no checks'} in {report.duration:.2f}s" + (" (--strict: warnings fail)" if strict else ""))


def junit_xml(report: CheckReport, strict: bool = False) -> bytes:
    """JUnit XML: one test case per check and partition, named ``ASSET:CHECK[PARTITION]`` with the
    asset key as class name. A WARN failure that does not fail the build is reported as skipped
    (as pytest reports an expected failure), so CI shows it without turning the build red."""
    import json
    import xml.etree.ElementTree as ET

    counts = {"tests": len(report.outcomes), "failures": 0, "errors": 0, "skipped": 0}
    suite = ET.Element("testsuite", name="assetgraph check", timestamp=datetime.now(UTC).isoformat(timespec="seconds"),
                       time=f"{report.duration:.3f}")
    for o in report.outcomes:
        case = ET.SubElement(suite, "testcase", name=o.name, classname=o.check_key.asset_key.to_user_string(),
                             time=f"{o.duration:.3f}")
        if o.source is not None:
            case.set("file", _display_path(o.source.file))
            case.set("line", str(o.source.line))
        props = ET.SubElement(case, "properties")
        for name, value in [("severity", o.severity.value), ("blocking", str(o.is_blocking).lower()),
                            ("partition", o.partition), ("run_id", o.run_id),
                            *((f"metadata.{k}", _text(v)) for k, v in o.metadata.items())]:
            if value is not None:
                ET.SubElement(props, "property", name=name, value=str(value))
        body = "\n".join(filter(None, [o.message, o.description, *(f"{k}: {_text(v)}" for k, v in o.metadata.items())]))
        if o.status == ERRORED:
            counts["errors"] += 1
            ET.SubElement(case, "error", message=o.summary, type="CheckError").text = o.traceback or body
        elif o.status == FAILED and o.fails_build(strict):
            counts["failures"] += 1
            ET.SubElement(case, "failure", message=o.summary, type=o.severity.value).text = body
        elif o.status == FAILED or o.status == SKIPPED:
            counts["skipped"] += 1
            prefix = "WARN check failed: " if o.status == FAILED else ""
            ET.SubElement(case, "skipped", message=prefix + o.summary)
        if o.metadata or o.description:
            ET.SubElement(case, "system-out").text = "\n".join(filter(None, [
                o.description, json.dumps(o.metadata, indent=2, default=str, sort_keys=True) if o.metadata else ""]))
    for k, v in counts.items():
        suite.set(k, str(v))
    root = ET.Element("testsuites", {"name": "assetgraph", "time": f"{report.duration:.3f}",
                                     **{k: str(v) for k, v in counts.items()}})
    root.append(suite)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _text(value: Any) -> str:
    import json

    return value if isinstance(value, str) else json.dumps(value, default=str, sort_keys=True)


def _display_path(file: str) -> str:
    """The path relative to the workspace (GitHub's checkout) or the current folder, when inside it."""
    base = Path(os.environ.get("GITHUB_WORKSPACE") or os.getcwd()).resolve()
    try:
        return Path(file).resolve().relative_to(base).as_posix()
    except ValueError:
        return file


def github_annotations(report: CheckReport, strict: bool = False) -> list[str]:
    """``::error file=...,line=...::`` workflow commands for failed checks (``::warning`` for WARN)."""
    lines = []
    for o in report.outcomes:
        if o.status not in (FAILED, ERRORED):
            continue
        level = "error" if o.fails_build(strict) else "warning"
        props = {"title": f"assetgraph check {o.name}"}
        if o.source is not None:
            props = {"file": _display_path(o.source.file), "line": str(o.source.line), **props}
        detail = "\n".join(filter(None, [o.message, o.description if o.description != o.message else None,
                                         *(f"{k}: {_text(v)}" for k, v in o.metadata.items())]))
        text = ",".join(f"{k}={_escape(v, True)}" for k, v in props.items())
        lines.append(f"::{level} {text}::{_escape(f'{o.label} {o.name}: ' + detail, False)}")
    return lines


def _escape(text: str, is_property: bool) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if is_property else text


# -- the command -------------------------------------------------------------------------------


def _fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


@click.command(name="check")
@click.option("--select", "selection", default=None,
              help="Selection string: assets (their checks run), check:ASSET:NAME, or checks_for(...). Default: all.")
@click.option("--partition", default=None, help="Partition key to check (default: the latest one).")
@click.option("--materialize", "materialize_first", is_flag=True,
              help="Materialise what the checks need into an ephemeral instance first (for CI).")
@click.option("--junit-xml", "junit_path", default=None, type=click.Path(dir_okay=False),
              help="Write a JUnit XML report to this file.")
@click.option("--strict", is_flag=True, help="WARN check failures fail too (exit 1).")
@click.option("-a", "--attribute", default=None, help="Name of the Definitions object in the module.")
@click.option("-f", "--file", "file_", default=None, help="Python file that defines a Definitions.")
@click.option("-m", "--module", default=None, help="Python module that defines a Definitions.")
def check(selection: str | None, partition: str | None, materialize_first: bool, junit_path: str | None,
          strict: bool, attribute: str | None, file_: str | None, module: str | None) -> None:
    """Run asset checks against the latest materialised values (or, with --materialize, against
    values materialised into an ephemeral instance). Exit 0 when no ERROR check failed, 1 when one
    did, 2 for usage or definition errors."""
    from assetgraph.codelocation.loader import find_target, load_definitions
    from assetgraph.storage.instance import Instance

    try:
        target = find_target(module, file_, attribute)
        defs = load_definitions(target)
        defs.get_asset_graph()
    except AssetGraphError as exc:
        _fail(str(exc))
    if "ASSETGRAPH_HOME" not in os.environ and target.working_directory:
        os.environ["ASSETGRAPH_HOME"] = os.path.join(target.working_directory, ".assetgraph")
    try:
        instance = Instance.ephemeral() if materialize_first else Instance.get()
    except AssetGraphError as exc:
        _fail(str(exc))
    try:
        report = run_checks(defs, instance, selection=selection, partition=partition, materialize=materialize_first)
    except AssetGraphError as exc:
        _fail(str(exc))
    finally:
        if materialize_first:
            instance.dispose()
    where = "an ephemeral instance, materialised first" if materialize_first else instance.display_url
    click.echo(f"assetgraph check: {len(report.outcomes)} check(s) of {target.describe()} against {where}\n")
    for note in report.notes:
        click.echo(f"Note: {note}", err=True)
    print_table(report, strict)
    if junit_path:
        Path(junit_path).write_bytes(junit_xml(report, strict))
        click.echo(f"JUnit XML report: {junit_path}")
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for line in github_annotations(report, strict):
            click.echo(line)
    sys.exit(report.exit_code(strict))
