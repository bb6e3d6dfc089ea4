"""Keys with quotes, slashes, unicode and SQL text round-trip through storage, GraphQL and the web UI
(issue 11, hostile input), in Debian's headless Chromium against a real server.

The asset ``odd/it's "quoted" ünïcødé ✓`` has static partitions such as ``say "hi"``, ``a/b`` and
``'; DROP TABLE event_log; --``; its downstream is ``odd/'; DROP TABLE runs; --``. The asset page
must show the key and the materialised partition verbatim, the lineage graph must select and open
them, and the materialise dialog must launch a run of such a partition that completes.
"""

from __future__ import annotations

import os
import re
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assetgraph.codelocation.loader import CodeLocationTarget
from assetgraph.definitions.keys import AssetKey
from assetgraph.server.workspace import InProcessWorkspace
from assetgraph.storage.instance import Instance
from tests.reliability import hostile_project
from tests.reliability.hostile_server import SECRET
from tests.reliability.outcomes import Campaign
from tests.server.conftest import running_server
from tests.ui.conftest import CHROMIUM, CHROMIUM_FLAGS, RunQueue, _skip_reason

pytestmark = pytest.mark.slow

LOCATION = "hostile"
LAUNCHED = "'; DROP TABLE event_log; --"
RUN_TIMEOUT_MS = 60_000


def asset_url(key: AssetKey) -> str:
    """The UI's route of an asset: each component URL-encoded, as `assetPath` in the UI does."""
    return "/assets/" + "/".join(urllib.parse.quote(part, safe="") for part in key.path)


class Served:
    def __init__(self, url: str, instance: Instance, queue: RunQueue) -> None:
        self.url, self.instance, self.queue = url, instance, queue


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    if _skip_reason():
        pytest.skip(_skip_reason() or "")
    os.environ[hostile_project.SECRET_ENV] = SECRET
    instance = Instance.from_url(f"sqlite:///{tmp_path_factory.mktemp('odd-ui') / 'assetgraph.db'}")
    hostile_project.seed(instance)
    queue = RunQueue(instance, CodeLocationTarget(file=str(Path(hostile_project.__file__)), attribute="defs"))
    worker = threading.Thread(target=queue.loop, name="odd-ui-run-queue", daemon=True)
    try:
        with running_server(InProcessWorkspace({LOCATION: hostile_project.defs}), instance) as url:
            worker.start()
            yield Served(url, instance, queue)
    finally:
        queue.stop()
        if worker.is_alive():
            worker.join(timeout=30)
        instance.dispose()
        os.environ.pop(hostile_project.SECRET_ENV, None)
    if queue.errors:
        raise queue.errors[0]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if _skip_reason():
        pytest.skip(_skip_reason() or "")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, served: Served) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=served.url)
    page = context.new_page()
    page.set_default_timeout(20_000)
    messages: list[str] = []
    page.on("pageerror", lambda exc: messages.append(f"page error: {exc}"))
    page.on("console", lambda msg: messages.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    yield page
    context.close()
    errors = [m for m in messages if "favicon" not in m]
    assert not errors, "\n".join(errors)


def _expect() -> Any:
    return pytest.importorskip("playwright.sync_api").expect


def test_the_asset_page_shows_odd_keys_and_partitions_verbatim(page: Any, campaign: Campaign) -> None:
    expect = _expect()
    key = hostile_project.ODD_ASSET
    page.goto(asset_url(key))
    expect(page.get_by_test_id("asset-title")).to_have_text(key.to_user_string())
    expect(page.get_by_test_id("partition-stats").locator(".stat.ok .stat-value")).to_have_text("2")
    rows = page.locator("table.top > tbody > tr > td:nth-child(2)")
    expect(rows.filter(has_text=hostile_project.ODD_PARTITION)).to_have_count(1)
    assert hostile_project.ODD_PARTITION in rows.all_inner_texts()
    assert "ünïcødé ✓ 🚀" in rows.all_inner_texts()
    sql_page = asset_url(hostile_project.SQL_ASSET)
    page.goto(sql_page)
    expect(page.get_by_test_id("asset-title")).to_have_text(hostile_project.SQL_ASSET.to_user_string())
    page.get_by_role("link", name=key.to_user_string()).first.click()  # upstream link back to the odd asset
    page.wait_for_url(re.compile(r".*/assets/odd/.+"))
    expect(page.get_by_test_id("asset-title")).to_have_text(key.to_user_string())
    assert urllib.parse.unquote(page.url).endswith(key.path[1])
    campaign.record("input", "odd asset and partition keys on the asset page (Chromium)", trials=4, survived=4,
                    checked="title, partition cells and links show the keys verbatim")


def test_the_lineage_graph_selects_and_opens_odd_keys(page: Any) -> None:
    expect = _expect()
    odd, sql = hostile_project.ODD_ASSET.to_user_string(), hostile_project.SQL_ASSET.to_user_string()
    page.goto(asset_url(hostile_project.ODD_ASSET))
    expect(page.get_by_test_id("asset-title")).to_have_text(odd)
    page.get_by_role("link", name=re.compile("lineage graph", re.I)).click()
    page.wait_for_function("() => window.__assetgraphGraph && window.__assetgraphGraph.draws > 0")
    # +key:"odd/..."+ selects raw/orders, orders, the odd asset and its downstream SQL-named asset.
    page.get_by_role("button", name="Materialize selection (4)").wait_for()
    assert page.get_by_test_id("selection-input").input_value() == f"+{hostile_project.key_selection(hostile_project.ODD_ASSET)}+"
    for key in (odd, sql):
        position = page.evaluate("id => window.__assetgraphGraph.locate(id)", f"{LOCATION}:{key}")
        assert position is not None, key
    at = page.evaluate("id => window.__assetgraphGraph.locate(id)", f"{LOCATION}:{sql}")
    page.mouse.dblclick(at["x"], at["y"])
    expect(page.get_by_test_id("asset-title")).to_have_text(sql)


def test_the_materialize_dialog_launches_an_odd_partition(page: Any, served: Served, campaign: Campaign) -> None:
    expect = _expect()
    key = hostile_project.ODD_ASSET
    page.goto(asset_url(key))
    expect(page.get_by_test_id("asset-title")).to_have_text(key.to_user_string())
    page.get_by_test_id("materialize").click()
    page.get_by_label("One partition").check()
    page.get_by_test_id("partition-key").fill(LAUNCHED)
    expect(page.get_by_test_id("materialize-plan")).to_contain_text(f"Launches one run for partition {LAUNCHED}.")
    page.get_by_test_id("launch").click()
    page.wait_for_url(re.compile(r".*/runs/[0-9a-f-]+$"))
    page.locator("h1 .tag.status-success").wait_for(timeout=RUN_TIMEOUT_MS)
    run_id = page.url.rsplit("/", 1)[-1]
    run = served.instance.get_run(run_id)
    assert run is not None and run.partition_key == LAUNCHED and run.asset_selection == (key,)
    assert LAUNCHED in served.instance.get_materialized_partitions(key)
    page.goto(asset_url(key))
    expect(page.get_by_test_id("partition-stats").locator(".stat.ok .stat-value")).to_have_text("3")
    rows = page.locator("table.top > tbody > tr > td:nth-child(2)")
    expect(rows.filter(has_text=LAUNCHED)).to_have_count(1)
    assert served.instance.get_runs()  # the event log is still there
    campaign.record("input", "materialise dialog with an SQL-text partition of an odd asset (Chromium)", trials=1,
                    survived=1, checked="run launched with the key verbatim, SUCCESS, partition shown materialised")


def test_every_odd_partition_key_round_trips_through_graphql(served: Served) -> None:
    """Each hostile key is accepted by launchRun, stored verbatim and listed back by the API."""
    import httpx

    deadline = time.monotonic() + 120
    launched = []
    for partition in hostile_project.ODD_TEXT:
        body = httpx.post(served.url + "/graphql", headers={"X-Assetgraph-Request": "1"}, json={
            "query": "mutation($s: String!, $p: String) { launchRun(selection: $s, partitionKey: $p) { id partitionKey } }",
            "variables": {"s": hostile_project.key_selection(hostile_project.ODD_ASSET), "p": partition}}).json()
        assert "errors" not in body, (partition, body)
        assert body["data"]["launchRun"]["partitionKey"] == partition
        launched.append(body["data"]["launchRun"]["id"])
    while time.monotonic() < deadline and any(
            (r := served.instance.get_run(i)) is None or not r.status.is_finished for i in launched):
        time.sleep(0.2)
    assert served.instance.get_materialized_partitions(hostile_project.ODD_ASSET) == set(hostile_project.ODD_TEXT)
    keys = httpx.post(served.url + "/graphql", json={"query": "query($k: [String!]!) { assetNode(key: $k) { "
                                                              "partitionKeys(first: 100) { keys } } }",
                                                     "variables": {"k": list(hostile_project.ODD_ASSET.path)}}).json()
    assert keys["data"]["assetNode"]["partitionKeys"]["keys"] == hostile_project.ODD_TEXT
