"""Asset keys of any text round-trip through the selection syntax and every command or mutation that
writes a selection for the user (issue 11, hostile input): the CLI's resume hints, the re-run hint of
a failed backfill and `resumeBackfill`. A key is data: quotes, backslashes, stars, spaces, SQL text,
unicode and slashes inside a component must all come back as the same key.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetgraph import AssetKey, Definitions, asset
from assetgraph.cli.backfill import _selection_of
from assetgraph.cli.main import resume_command
from assetgraph.graph.selection import AssetSelection, format_key
from tests.reliability import hostile_project
from tests.reliability.hostile_server import HostileServer, hostile_server
from tests.reliability.outcomes import Campaign, scale

COMPONENT = st.text(min_size=1, max_size=12) | st.sampled_from([*hostile_project.ODD_TEXT, "*", "\\", '"', "/", "a/b",
                                                                 "not", "or", "key:x", "+", "(", " "])
KEYS = st.lists(COMPONENT, min_size=1, max_size=4).map(AssetKey)


def _select_one(key: AssetKey, text: str) -> set[AssetKey]:
    """What ``text`` selects in a graph holding ``key`` and the key its user string would also spell."""

    @asset(key=key)
    def target() -> None: ...

    parts = key.to_user_string().split("/")
    look_alike = AssetKey(parts) if all(parts) else key
    assets = [target]
    if look_alike != key:
        @asset(key=look_alike)
        def other() -> None: ...

        assets.append(other)
    return Definitions(assets=assets).get_asset_graph().select(AssetSelection.from_string(text))


def test_a_slash_inside_a_component_is_written_and_read_as_an_escape() -> None:
    # Regression: a key component holding '/' could not be selected at all; "odd/in/out" always meant
    # three components.
    key = AssetKey(["odd", "in/out"])
    assert format_key(key) == '"odd/in\\/out"'
    assert _select_one(key, "key:" + format_key(key)) == {key}
    assert _select_one(key, 'key:"odd/in/out"') == {AssetKey(["odd", "in", "out"])}


def test_any_key_round_trips_through_the_selection_syntax(campaign: Campaign) -> None:
    examples = scale(300, 5_000)
    tally = {"trials": 0, "lost": 0}

    @settings(max_examples=examples, deadline=None, database=None)
    @given(key=KEYS)
    def fuzz(key: AssetKey) -> None:
        tally["trials"] += 1
        try:
            text = str(AssetSelection.assets(key))
            assert AssetSelection.from_string(text) == AssetSelection.assets(key)
            assert _select_one(key, text) == {key}
        except BaseException:
            tally["lost"] += 1
            raise

    try:
        fuzz()
    finally:
        campaign.record("input", "asset keys of any text through the selection syntax", trials=tally["trials"],
                        survived=tally["trials"] - tally["lost"], checked="printed, parsed and resolved to the same key",
                        details=f"{examples} examples")


@pytest.mark.parametrize("keys", [[hostile_project.ODD_ASSET, hostile_project.SQL_ASSET], [AssetKey("my orders")],
                                  [AssetKey(["raw", "it's"]), AssetKey(["a*b"])]])
def test_the_printed_resume_commands_select_exactly_the_failed_keys(keys: list[AssetKey]) -> None:
    # Regression: `materialize` printed `key:'my orders'` (shell quotes inside the selection) and
    # `backfill` pasted keys unquoted into single quotes; neither command could be run as printed.
    for command in (resume_command(keys, None), "assetgraph backfill --select " + _selection_of(
            {"selection": [k.to_user_string() for k in keys]})):
        words = shlex.split(command)
        selection = AssetSelection.from_string(words[words.index("--select") + 1])
        assert str(selection) == str(AssetSelection.assets(*keys)), command


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileServer]:
    with hostile_server(tmp_path_factory.mktemp("fuzz-keys")) as live:
        yield live


def test_a_failed_backfill_of_an_odd_key_resumes(server: HostileServer) -> None:
    # Regression: resumeBackfill pasted the key into `key:"..."`, so a key with a quote was a
    # SelectionError and the failed backfill could not be resumed.
    launch = """mutation($s: String!, $k: [String!]) { launchBackfill(selection: $s, partitionKeys: $k) { id } }"""
    body = server.post({"query": launch, "variables": {"s": hostile_project.key_selection(hostile_project.ODD_ASSET),
                                                       "k": ["a/b", "x,y"]}}, mutation=True).json()
    backfill_id = body["data"]["launchBackfill"]["id"]
    server.instance.update_backfill(backfill_id, "FAILED")
    resume = "mutation($id: String!) { resumeBackfill(backfillId: $id) { id status selection partitionKeys } }"
    resumed = server.post({"query": resume, "variables": {"id": backfill_id}}, mutation=True).json()
    assert "errors" not in resumed, resumed
    assert resumed["data"]["resumeBackfill"]["selection"] == [hostile_project.ODD_ASSET.to_user_string()]
    assert resumed["data"]["resumeBackfill"]["id"] != backfill_id
