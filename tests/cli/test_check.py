"""`assetgraph check` (and `assetgraph validate` for CI) against small code locations in tmp_path."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assetgraph.cli.main import cli

PROJECT = '''
from datetime import timedelta
from pathlib import Path

from assetgraph import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, Definitions, MaterializeResult
from assetgraph import asset, asset_check
from assetgraph.definitions.check_factories import build_metadata_bounds_checks

CALLS = Path(__file__).with_name("calls.txt")


@asset
def orders():
    with CALLS.open("a") as f:
        f.write("orders\\n")
    return MaterializeResult(value=ORDERS, metadata={"row_count": len(ORDERS)})


@asset(check_specs=[AssetCheckSpec("has_total", asset="revenue")])
def revenue(orders):
    return MaterializeResult(value=sum(orders), check_results=[AssetCheckResult(passed=True)])


@asset_check(asset=orders, blocking=True, description="Orders have no negative amount")
def no_negatives(orders):
    negatives = [o for o in orders if o < 0]
    return AssetCheckResult(passed=not negatives, metadata={"negatives": len(negatives)},
                            severity=SEVERITY)


@asset_check(asset=orders)
def not_empty(orders):
    return AssetCheckResult(passed=len(orders) > 0, metadata={"rows": len(orders)})


defs = Definitions(assets=[orders, revenue], asset_checks=[
    no_negatives, not_empty, *build_metadata_bounds_checks(assets=[orders], min_value=1, max_value=100)])

ORDERS = {orders}
SEVERITY = AssetCheckSeverity.{severity}
'''


def _project(tmp_path: Path, orders: list[int], severity: str = "ERROR") -> Path:
    text = PROJECT.replace("{orders}", repr(orders)).replace("{severity}", severity)
    (tmp_path / "defs.py").write_text(text)
    return tmp_path / "defs.py"


def _check(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, ["check", *args], env=env, catch_exceptions=False)


def _line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_all_checks_pass_exit_0_with_a_summary_table(tmp_path: Path) -> None:
    defs = _project(tmp_path, [1, 2, 3])
    result = _check("-f", str(defs), "--materialize")
    assert result.exit_code == 0, result.output
    assert "STATUS  SEVERITY  CHECK" in result.output
    for name in ("orders:no_negatives", "orders:not_empty", "orders:row_count_bounds_check", "revenue:has_total"):
        assert f"PASS    -         {name}" in result.output
    assert "4 passed" in result.output


def test_failed_error_check_exits_1_and_shows_metadata(tmp_path: Path) -> None:
    defs = _project(tmp_path, [1, -2, -3])
    result = _check("-f", str(defs), "--materialize")
    assert result.exit_code == 1
    assert "FAIL    ERROR     orders:no_negatives" in result.output
    assert "Orders have no negative amount" in result.output and "negatives: 2" in result.output
    # The blocking check stopped revenue, so the check revenue reports was never evaluated.
    assert "SKIP" in result.output and "revenue:has_total" in result.output


def test_warn_failure_exits_0_and_1_with_strict(tmp_path: Path) -> None:
    defs = _project(tmp_path, [1, -2], severity="WARN")
    relaxed = _check("-f", str(defs), "--materialize")
    assert relaxed.exit_code == 0, relaxed.output
    assert "WARN    WARN      orders:no_negatives" in relaxed.output and "1 warned" in relaxed.output
    strict = _check("-f", str(defs), "--materialize", "--strict")
    assert strict.exit_code == 1


def test_check_reads_stored_values_without_rematerialising(tmp_path: Path) -> None:
    defs = _project(tmp_path, [4, 5])
    materialized = CliRunner().invoke(cli, ["materialize", "-f", str(defs), "--select", "*"])
    assert materialized.exit_code == 0, materialized.output
    assert (tmp_path / "calls.txt").read_text() == "orders\n"
    result = _check("-f", str(defs), "--select", "key:orders")
    assert result.exit_code == 0, result.output
    assert "3 passed" in result.output
    assert (tmp_path / "calls.txt").read_text() == "orders\n"


def test_check_without_stored_values_says_how_to_get_them(tmp_path: Path) -> None:
    defs = _project(tmp_path, [1])
    result = _check("-f", str(defs), "--select", "check:orders:not_empty")
    assert result.exit_code == 1
    assert '"orders" has no materialization in this instance' in result.output
    assert "assetgraph check --materialize" in result.output


def test_select_a_single_check(tmp_path: Path) -> None:
    defs = _project(tmp_path, [1, -1])
    result = _check("-f", str(defs), "--materialize", "--select", "check:orders:not_empty")
    assert result.exit_code == 0, result.output
    assert "1 passed" in result.output and "no_negatives" not in result.output


@pytest.mark.parametrize("selection", ["check:orders:nope", "key:", "check:orders"])
def test_bad_selection_exits_2(tmp_path: Path, selection: str) -> None:
    defs = _project(tmp_path, [1])
    result = _check("-f", str(defs), "--select", selection)
    assert result.exit_code == 2, result.output
    assert "Error:" in result.stderr


def test_definition_error_exits_2(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text(
        "from assetgraph import AssetCheckResult, Definitions, asset, asset_check\n\n"
        "@asset\ndef a():\n    return 1\n\n"
        "@asset_check(asset='b')\ndef c():\n    return AssetCheckResult(passed=True)\n\n"
        "defs = Definitions(assets=[a], asset_checks=[c])\n")
    result = _check("-f", str(tmp_path / "broken.py"))
    assert result.exit_code == 2
    assert '"b"' in result.stderr


def test_validate_exits_2_on_a_definition_error(tmp_path: Path) -> None:
    (tmp_path / "dup.py").write_text(
        "from assetgraph import Definitions, asset\n\n"
        "@asset(name='x')\ndef one():\n    return 1\n\n"
        "@asset(name='x')\ndef two():\n    return 2\n\n"
        "defs = Definitions(assets=[one, two])\n")
    result = CliRunner().invoke(cli, ["validate", "-f", str(tmp_path / "dup.py")])
    assert result.exit_code == 2
    assert '"x"' in result.stderr


def test_junit_xml_has_one_test_case_per_check(tmp_path: Path) -> None:
    defs = _project(tmp_path, [1, -2])
    report = tmp_path / "report.xml"
    result = _check("-f", str(defs), "--materialize", "--junit-xml", str(report))
    assert result.exit_code == 1
    root = ET.parse(report).getroot()
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("4", "1", "0", "1")
    cases = {str(c.get("name")): c for c in root.iter("testcase")}
    assert sorted(cases) == ["orders:no_negatives", "orders:not_empty", "orders:row_count_bounds_check",
                             "revenue:has_total"]
    failed = cases["orders:no_negatives"]
    assert failed.get("classname") == "orders"
    assert failed.get("file") == "defs.py" or failed.get("file", "").endswith("defs.py")
    assert failed.get("line") == str(_line_of(defs, "@asset_check(asset=orders, blocking=True"))
    failure = failed.find("failure")
    assert failure is not None and failure.get("message") == "Orders have no negative amount"
    assert failure.get("type") == "ERROR" and "negatives: 1" in (failure.text or "")
    props = {p.get("name"): p.get("value") for p in failed.iter("property")}
    assert props["severity"] == "ERROR" and props["blocking"] == "true" and props["metadata.negatives"] == "1"
    system_out = failed.find("system-out")
    assert system_out is not None and '"negatives": 1' in (system_out.text or "")
    assert cases["orders:not_empty"].find("failure") is None
    skipped = cases["revenue:has_total"].find("skipped")
    assert skipped is not None and "blocking check orders:no_negatives failed" in (skipped.get("message") or "")


def test_junit_xml_reports_warn_failures_as_skipped_unless_strict(tmp_path: Path) -> None:
    defs = _project(tmp_path, [1, -2], severity="WARN")
    report = tmp_path / "report.xml"
    _check("-f", str(defs), "--materialize", "--junit-xml", str(report))
    case = next(c for c in ET.parse(report).getroot().iter("testcase") if c.get("name") == "orders:no_negatives")
    skipped = case.find("skipped")
    assert skipped is not None and (skipped.get("message") or "").startswith("WARN check failed")
    _check("-f", str(defs), "--materialize", "--junit-xml", str(report), "--strict")
    case = next(c for c in ET.parse(report).getroot().iter("testcase") if c.get("name") == "orders:no_negatives")
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "WARN"


def test_github_actions_annotations_point_at_the_check_source_line(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    defs = _project(tmp_path, [1, -2])
    monkeypatch.chdir(tmp_path)
    result = _check("-f", str(defs), "--materialize", env={"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(tmp_path)})
    line = _line_of(defs, "@asset_check(asset=orders, blocking=True")
    annotations = [x for x in result.output.splitlines() if x.startswith("::")]
    assert annotations == [
        f"::error file=defs.py,line={line},title=assetgraph check orders%3Ano_negatives::"
        "FAIL orders:no_negatives: Orders have no negative amount%0Anegatives: 1"
    ]


def test_no_annotations_outside_github_actions(tmp_path: Path) -> None:
    defs = _project(tmp_path, [1, -2])
    result = _check("-f", str(defs), "--materialize", env={"GITHUB_ACTIONS": ""})
    assert "::error" not in result.output


DAILY_PROJECT = '''
from assetgraph import AssetCheckResult, DailyPartitionsDefinition, Definitions, asset, asset_check

@asset(partitions_def=DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-05"))
def events(context):
    return int(context.partition_key[-1])

@asset_check(asset=events)
def even_day(events):
    return AssetCheckResult(passed=events % 2 == 0, metadata={"day": events})

defs = Definitions(assets=[events], asset_checks=[even_day])
'''


def test_partitioned_checks_are_named_with_their_partition(tmp_path: Path) -> None:
    (tmp_path / "daily.py").write_text(DAILY_PROJECT)
    report = tmp_path / "report.xml"
    latest = _check("-f", str(tmp_path / "daily.py"), "--materialize", "--junit-xml", str(report))
    assert latest.exit_code == 0, latest.output
    assert [c.get("name") for c in ET.parse(report).getroot().iter("testcase")] == ["events:even_day[2024-01-04]"]
    odd = _check("-f", str(tmp_path / "daily.py"), "--materialize", "--partition", "2024-01-03")
    assert odd.exit_code == 1 and "events:even_day[2024-01-03]" in odd.output


def test_partitioned_check_against_stored_values_uses_the_latest_materialized_partition(tmp_path: Path) -> None:
    (tmp_path / "daily.py").write_text(DAILY_PROJECT)
    runner = CliRunner()
    for key in ("2024-01-01", "2024-01-02"):
        runner.invoke(cli, ["materialize", "-f", str(tmp_path / "daily.py"), "--select", "*", "--partition", key])
    result = _check("-f", str(tmp_path / "daily.py"))
    assert result.exit_code == 0, result.output
    assert "PASS    -         events:even_day[2024-01-02]" in result.output
    older = _check("-f", str(tmp_path / "daily.py"), "--partition", "2024-01-01")
    assert older.exit_code == 1 and "events:even_day[2024-01-01]" in older.output


def test_unknown_partition_exits_2(tmp_path: Path) -> None:
    (tmp_path / "daily.py").write_text(DAILY_PROJECT)
    result = _check("-f", str(tmp_path / "daily.py"), "--materialize", "--partition", "1999-01-01")
    assert result.exit_code == 2


def test_a_check_whose_asset_fails_to_materialise_errors_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "failing.py").write_text(
        "from assetgraph import AssetCheckResult, Definitions, asset, asset_check\n\n"
        "@asset\ndef source():\n    raise RuntimeError('upstream API is down')\n\n"
        "@asset\ndef derived(source):\n    return source\n\n"
        "@asset_check(asset=derived)\ndef derived_ok(derived):\n    return AssetCheckResult(passed=True)\n\n"
        "defs = Definitions(assets=[source, derived], asset_checks=[derived_ok])\n")
    report = tmp_path / "report.xml"
    result = _check("-f", str(tmp_path / "failing.py"), "--materialize", "--junit-xml", str(report))
    assert result.exit_code == 1
    assert "ERROR   -         derived:derived_ok" in result.output
    assert "upstream step 'source' failed" in result.output
    error = next(ET.parse(report).getroot().iter("testcase")).find("error")
    assert error is not None and "upstream step 'source' failed" in (error.get("message") or "")
