"""The pytest plugin: ``pytest --assetgraph [--assetgraph-select SEL]`` collects each asset check
of the project's code location as a test item, so data checks show up in the team's usual test
report.

Registered through the ``pytest11`` entry point and inactive unless ``--assetgraph`` is given:
without it the plugin only adds its options, imports nothing of assetgraph beyond this module's
package, and emits nothing. When active, the code location is found like the CLI finds it
(``[tool.assetgraph]`` in pyproject.toml under the rootdir, or ``--assetgraph-module`` /
``--assetgraph-file``). The first check item to run materialises what the selected checks need
into an ephemeral instance, once per session, and evaluates them all; each item then reports its
own check: a failed ERROR check (or one that raised) fails, a failed WARN check is an expected
failure (xfail; a failure with ``--assetgraph-strict``), a check that could not be evaluated for
a reason that fails nothing by itself is skipped.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from assetgraph.cli.check import CheckOutcome, CheckReport
    from assetgraph.definitions.definitions import Definitions
    from assetgraph.definitions.keys import AssetCheckKey


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("assetgraph", "assetgraph asset checks")
    group.addoption("--assetgraph", action="store_true", default=False,
                    help="Collect the asset checks of the project's code location as tests.")
    group.addoption("--assetgraph-select", default=None, metavar="SEL",
                    help="Selection string of the checks to collect (assets, check:ASSET:NAME, checks_for(...)).")
    group.addoption("--assetgraph-module", default=None, metavar="MODULE",
                    help="Python module that defines the Definitions (default: [tool.assetgraph] in pyproject.toml).")
    group.addoption("--assetgraph-file", default=None, metavar="FILE",
                    help="Python file that defines the Definitions.")
    group.addoption("--assetgraph-strict", action="store_true", default=False,
                    help="Failed WARN checks fail instead of being reported as expected failures.")


class AssetCheckFailure(Exception):
    """Raised by an item whose check failed; `AssetCheckItem.repr_failure` shows the outcome."""

    def __init__(self, outcome: CheckOutcome) -> None:
        super().__init__(outcome.summary)
        self.outcome = outcome


class _Session:
    """The checks of one pytest session, evaluated once, on first use, in an ephemeral instance."""

    def __init__(self, defs: Definitions, location: str) -> None:
        self.defs = defs
        self.location = location
        self._report: CheckReport | None = None
        self._error: Exception | None = None
        self._instance: Any = None

    def outcomes_for(self, check_keys: list[AssetCheckKey]) -> dict[AssetCheckKey, CheckOutcome]:
        if self._report is None and self._error is None:
            self._evaluate(check_keys)
        if self._error is not None:
            raise self._error
        return {o.check_key: o for o in self._report.outcomes} if self._report is not None else {}

    def _evaluate(self, check_keys: list[AssetCheckKey]) -> None:
        from assetgraph.cli.check import run_checks
        from assetgraph.definitions.errors import AssetGraphError
        from assetgraph.graph.selection import AssetSelection
        from assetgraph.storage.instance import Instance

        self._instance = Instance.ephemeral()
        try:
            self._report = run_checks(self.defs, self._instance, selection=str(AssetSelection.checks(*check_keys)),
                                      materialize=True)
        except AssetGraphError as exc:
            self._error = exc

    def close(self) -> None:
        if self._instance is not None:
            self._instance.dispose()
            self._instance = None


_SESSION = pytest.StashKey[_Session]()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("assetgraph"):
        return
    defs, location = _load(config)
    config.stash[_SESSION] = _Session(defs, location)
    collector = AssetChecksCollector.from_parent(session, name="assetgraph", nodeid="assetgraph")
    # Reported like any collection, so the count, -k and collection errors behave as for files.
    report = session.ihook.pytest_make_collect_report(collector=collector)
    session.ihook.pytest_collectreport(report=report)
    if report.passed:
        items.extend(x for x in report.result if isinstance(x, pytest.Item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    # A skipped check is reported at the check's source line, not at the plugin's pytest.skip() call.
    if isinstance(item, AssetCheckItem) and report.skipped and isinstance(report.longrepr, tuple):
        path, line, _ = item.reportinfo()
        report.longrepr = (str(path), (line or 0) + 1, report.longrepr[2])
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    state = session.config.stash.get(_SESSION, None)
    if state is not None:
        state.close()


def _load(config: pytest.Config) -> tuple[Definitions, str]:
    from assetgraph.codelocation.loader import find_target, load_definitions
    from assetgraph.definitions.errors import AssetGraphError

    try:
        target = find_target(config.getoption("assetgraph_module"), config.getoption("assetgraph_file"),
                             cwd=str(config.rootpath))
        defs = load_definitions(target)
        defs.get_asset_graph()
    except AssetGraphError as exc:
        raise pytest.UsageError(f"--assetgraph: {exc}") from exc
    return defs, target.describe()


class AssetChecksCollector(pytest.Collector):
    """The asset checks of the code location, selected by ``--assetgraph-select``."""

    def collect(self) -> list[pytest.Item]:
        from assetgraph.graph.selection import AssetSelection

        state = self.config.stash[_SESSION]
        text = self.config.getoption("assetgraph_select")
        graph = state.defs.get_asset_graph()
        checks = (AssetSelection.from_string(text) if text else AssetSelection.all()).resolve_checks(graph)
        items: list[pytest.Item] = []
        for ck in sorted(checks):
            source = getattr(graph.check_def_for(ck), "source", None)
            path = Path(source.file) if source is not None and Path(source.file).is_file() else None
            item = AssetCheckItem.from_parent(self, name=ck.to_user_string(), path=path)
            item.check_key = ck
            item.source = source
            items.append(item)
        return items


    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> str:  # type: ignore[override]
        from assetgraph.definitions.errors import AssetGraphError

        if isinstance(excinfo.value, AssetGraphError):
            return f"--assetgraph-select: {excinfo.value}"
        return str(super().repr_failure(excinfo))


class AssetCheckItem(pytest.Item):
    """One asset check as a test."""

    check_key: AssetCheckKey
    source: Any = None

    def runtest(self) -> None:
        from assetgraph.cli.check import ERRORED, FAILED, PASSED, SKIPPED

        outcome = self.config.stash[_SESSION].outcomes_for(list(self._selected_checks())).get(self.check_key)
        if outcome is None:
            pytest.fail(f"{self.name} was not evaluated.", pytrace=False)
        if outcome.status == PASSED:
            return
        if outcome.status == SKIPPED:
            pytest.skip(outcome.summary or "not evaluated")
        strict = bool(self.config.getoption("assetgraph_strict"))
        if outcome.status == FAILED and not outcome.fails_build(strict):
            pytest.xfail(f"WARN check failed: {outcome.summary}")
        if outcome.status in (FAILED, ERRORED):
            raise AssetCheckFailure(outcome)

    def _selected_checks(self) -> Iterator[AssetCheckKey]:
        """The checks left after deselection (-k, --deselect), so only those are evaluated."""
        for item in self.session.items:
            if isinstance(item, AssetCheckItem):
                yield item.check_key

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        from assetgraph.definitions.errors import AssetGraphError

        if isinstance(excinfo.value, AssetCheckFailure):
            return _describe(excinfo.value.outcome)
        if isinstance(excinfo.value, AssetGraphError):
            return f"{type(excinfo.value).__name__}: {excinfo.value}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path | str, int | None, str]:
        if self.source is not None:
            return Path(self.source.file), self.source.line - 1, f"asset check {self.name}"
        return self.path, None, f"asset check {self.name}"


def _describe(outcome: CheckOutcome) -> str:
    kind = "raised" if outcome.status == "errored" else f"failed (severity {outcome.severity.value})"
    lines = [f"Asset check {outcome.name} {kind}" + (" [blocking]" if outcome.is_blocking else "")]
    if outcome.source is not None:
        lines.append(f"  defined at: {outcome.source}")
    texts = [outcome.message, outcome.description if outcome.description != outcome.message else None]
    for text in filter(None, texts):
        lines.extend(f"  {line}" for line in text.strip().splitlines())
    if outcome.metadata:
        lines.append("  metadata:")
        lines.extend(f"    {k}: {v}" for k, v in outcome.metadata.items())
    if outcome.traceback:
        lines.append(outcome.traceback.rstrip())
    return "\n".join(lines)
