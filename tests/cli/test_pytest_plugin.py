"""The pytest plugin, run with pytester in a temporary project that declares its code location."""

from __future__ import annotations

import pytest

# Here rather than in tests/cli/conftest.py: pytest refuses pytest_plugins in a conftest below the rootdir.
pytest_plugins = ["pytester"]

PROJECT = '''
from assetgraph import AssetCheckResult, AssetCheckSeverity, Definitions, MaterializeResult, asset, asset_check


@asset
def orders():
    return MaterializeResult(value=[3, -1, 2], metadata={"row_count": 3})


@asset
def revenue(orders):
    return sum(orders)


@asset_check(asset=orders, description="Every order has a positive amount")
def positive_amounts(orders):
    negatives = [o for o in orders if o < 0]
    return AssetCheckResult(passed=not negatives, metadata={"negatives": len(negatives)})


@asset_check(asset=orders)
def not_empty(orders):
    return AssetCheckResult(passed=len(orders) > 0)


@asset_check(asset=revenue)
def revenue_is_small(revenue):
    return AssetCheckResult(passed=revenue < 3, severity=AssetCheckSeverity.WARN,
                            description=f"revenue is {revenue}")


@asset_check(asset=revenue)
def explodes(revenue):
    raise KeyError("currency")


defs = Definitions(assets=[orders, revenue],
                   asset_checks=[positive_amounts, not_empty, revenue_is_small, explodes])
'''


@pytest.fixture(autouse=True, scope="module")
def _storage_imported_once() -> None:
    # pytester's in-process runs drop modules first imported inside them; SQLAlchemy's compiled
    # extensions do not survive a second import, so the storage stack is imported here, outside.
    from assetgraph.storage.instance import Instance

    Instance.ephemeral().dispose()


# Third-party plugins of this environment cost seconds per in-process run and play no part here.
QUIET = ("-p", "no:cacheprovider", "-p", "no:benchmark", "-p", "no:hypothesispytest", "-p", "no:anyio")


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest(*args, *QUIET)


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(plugin_project_defs=PROJECT)
    pytester.makepyprojecttoml('[tool.assetgraph]\nmodule = "plugin_project_defs"\n')
    pytester.makepyfile(test_plain="def test_plain():\n    assert True\n")
    return pytester


def test_checks_become_test_items_that_pass_and_fail(project: pytest.Pytester) -> None:
    result = run(project, "--assetgraph", "-rA")
    result.assert_outcomes(passed=2, failed=2, xfailed=1)
    result.stdout.fnmatch_lines_random([
        "PASSED assetgraph::orders:not_empty",
        "FAILED assetgraph::orders:positive_amounts*",
        "FAILED assetgraph::revenue:explodes*",
        "XFAIL assetgraph::revenue:revenue_is_small - WARN check failed: revenue is 4",
    ])
    # The failure shows the check's description, metadata and where it is defined.
    result.stdout.fnmatch_lines([
        "*Asset check orders:positive_amounts failed (severity ERROR)*",
        "*defined at: *plugin_project_defs.py:*",
        "*Every order has a positive amount*",
        "*negatives: 1*",
    ])
    result.stdout.fnmatch_lines(["*Asset check revenue:explodes raised*", "*KeyError*currency*"])


def test_select_limits_the_collected_checks_and_strict_fails_warnings(project: pytest.Pytester) -> None:
    result = run(project, "--assetgraph", "--assetgraph-select", "check:revenue:revenue_is_small",
                 "--assetgraph-strict", "-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*collected 2 items*", "*assetgraph::revenue:revenue_is_small FAILED*"])


def test_keyword_deselection_applies_to_checks(project: pytest.Pytester) -> None:
    result = run(project, "--assetgraph", "-k", "not_empty")
    result.assert_outcomes(passed=1, deselected=4)


def test_inactive_without_the_flag_collects_no_checks_and_warns_nothing(project: pytest.Pytester) -> None:
    result = run(project, "-W", "error")
    result.assert_outcomes(passed=1)
    assert "assetgraph::" not in result.stdout.str()
    assert "warning" not in result.stdout.str().lower()


def test_bad_selection_is_a_usage_error(project: pytest.Pytester) -> None:
    result = run(project, "--assetgraph", "--assetgraph-select", "check:orders:not_emty")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*did you mean: orders:not_empty*"])


def test_missing_code_location_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain="def test_plain():\n    assert True\n")
    result = run(pytester, "--assetgraph")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--assetgraph: No code location*"])


BLOCKED = '''
from assetgraph import AssetCheckResult, Definitions, asset, asset_check

@asset
def source():
    return 1

@asset
def derived(source):
    return source

@asset_check(asset=source, blocking=True)
def gate(source):
    return AssetCheckResult(passed=False, description="the gate is closed")

@asset_check(asset=derived)
def derived_ok(derived):
    return AssetCheckResult(passed=True)

defs = Definitions(assets=[source, derived], asset_checks=[gate, derived_ok])
'''


def test_check_below_a_failed_blocking_check_is_skipped_at_its_source_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(blocked_defs=BLOCKED)
    pytester.makepyprojecttoml('[tool.assetgraph]\nmodule = "blocked_defs"\n')
    result = run(pytester, "--assetgraph", "-rs")
    result.assert_outcomes(failed=1, skipped=1)
    line = (pytester.path / "blocked_defs.py").read_text().splitlines().index("@asset_check(asset=derived)") + 1
    result.stdout.fnmatch_lines([f"SKIPPED [[]1[]] blocked_defs.py:{line}: Not evaluated: *blocking check source:gate failed*"])
