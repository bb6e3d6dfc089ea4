"""Every user-facing error has a page under docs/errors/, and messages keep their promised wording."""

from __future__ import annotations

from pathlib import Path

import pytest

import assetgraph.definitions.errors as errors
from assetgraph import AssetGraphError

DOCS = Path(__file__).resolve().parents[2] / "docs" / "errors"


def _all_error_classes() -> list[type[AssetGraphError]]:
    import assetgraph.codelocation.loader
    import assetgraph.execution.io_managers  # noqa: F401  (defines MissingValueError)

    seen: list[type[AssetGraphError]] = []
    todo: list[type[AssetGraphError]] = [errors.AssetGraphError]
    while todo:
        cls = todo.pop()
        seen.append(cls)
        todo.extend(cls.__subclasses__())
    return seen


@pytest.mark.parametrize("cls", _all_error_classes(), ids=lambda c: c.__name__)
def test_error_class_has_a_doc_page(cls: type[AssetGraphError]) -> None:
    if cls.doc_page is None:
        return
    assert (DOCS / f"{cls.doc_page}.md").is_file(), f"docs/errors/{cls.doc_page}.md is missing"


def test_error_message_ends_with_the_doc_link() -> None:
    err = errors.PartitionError("bad key")
    assert str(err) == "bad key\nMore: docs/errors/partition-error.md"


def test_internal_error_asks_for_a_report() -> None:
    assert "please report it" in str(errors.InternalError("graph factory missing"))
