"""dbt tests as asset checks: which asset a test checks, and how blocking it is.

- A generic test on one model (``attached_node``) checks that model.
- A ``relationships`` test checks the model that declares it; the referenced model becomes an
  additional dependency of the check.
- A singular test checks the asset named by ``meta.assetgraph.ref`` (a node name) or
  ``meta.assetgraph.asset_key``, else its one parent (walking through ephemeral models);
  with several parents and no such meta it is not a check (dbt still runs it).
- Tests of sources become checks on the external source asset only when asked
  (``source_tests_as_checks=True``).
- Severity ``error`` makes the check blocking (dbt's own ``build`` already skips the models
  downstream of a failing error-severity test; blocking extends that to assets outside dbt);
  ``warn`` is not blocking.

Must not import dbt.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from assetgraph import AssetCheckKey, AssetCheckSpec, AssetKey
from assetgraph_dbt.manifest import DbtManifest, ManifestNode, assetgraph_meta
from assetgraph_dbt.translator import DbtTranslator

UNIQUE_ID = "dbt/unique_id"


@dataclass(frozen=True)
class TestTarget:
    """The asset a test checks and any other assets it reads."""

    asset_uid: str
    other_uids: tuple[str, ...] = ()


def test_target(test: ManifestNode, manifest: DbtManifest, resolve: Callable[[str], list[str]],
                by_name: Mapping[str, str]) -> TestTarget | None:
    """``resolve`` maps a parent unique id to the asset unique ids it stands for (ephemeral
    models stand for their parents)."""
    ref = assetgraph_meta(test).get("ref")
    ups = test.get("depends_on", {}).get("nodes", [])
    attached = test.get("attached_node")
    if attached and not ref and ups == [attached]:  # the common case: a generic test on one model
        targets = resolve(attached)
        return TestTarget(targets[0]) if len(targets) == 1 else None
    parents = list(dict.fromkeys(u for p in ups for u in resolve(p)))
    if isinstance(ref, str) and ref in by_name:
        uid = by_name[ref]
        return TestTarget(uid, tuple(p for p in parents if p != uid))
    if attached:
        targets = resolve(attached)
        if len(targets) == 1:
            return TestTarget(targets[0], tuple(p for p in parents if p != targets[0]))
    is_generic = bool(test.get("test_metadata"))
    if len(parents) == 1:
        return TestTarget(parents[0])
    if is_generic and parents and parents[0] in manifest.sources:
        return TestTarget(parents[0], tuple(parents[1:]))
    return None


def is_blocking(test: ManifestNode) -> bool:
    return str(test.get("config", {}).get("severity", "error")).lower() == "error"


def check_spec_for(test: ManifestNode, target: TestTarget, keys: Mapping[str, AssetKey],
                   translator: DbtTranslator, taken: set[AssetCheckKey]) -> AssetCheckSpec:
    asset_key = keys[target.asset_uid]
    name = translator.get_check_name(test)
    if AssetCheckKey(asset_key, name) in taken:  # two packages may name tests alike
        name = f"{name}_{test['unique_id'].rsplit('.', 1)[-1]}"
    taken.add(AssetCheckKey(asset_key, name))
    return AssetCheckSpec(
        name,
        asset=asset_key,
        blocking=is_blocking(test),
        description=test.get("description") or None,
        additional_deps=[keys[u] for u in target.other_uids if u in keys],
        metadata={UNIQUE_ID: test["unique_id"]},
    )
