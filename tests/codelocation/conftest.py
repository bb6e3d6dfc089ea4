"""Fixtures for code-location tests: a file-backed instance and workspaces over test locations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assetgraph.codelocation.loader import CodeLocationTarget
from assetgraph.codelocation.workspace import LocationSpec, Workspace

LOCATIONS = Path(__file__).parent / "locations"
SHOP = LocationSpec("shop", CodeLocationTarget(file=str(LOCATIONS / "shop.py"), working_directory=str(LOCATIONS)))


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[Any]:
    from assetgraph import Instance

    inst = Instance.from_url(f"sqlite:///{tmp_path / 'assetgraph.db'}")
    yield inst
    inst.dispose()


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Workspace]:
    with Workspace([SHOP], load_timeout=30) as ws:
        yield ws


def file_location(path: Path, name: str | None = None) -> LocationSpec:
    return LocationSpec(name or path.stem, CodeLocationTarget(file=str(path), working_directory=str(path.parent)))
