"""The error hierarchy, grouped by who must act (see STYLE.md, "Errors").

Every user-facing error names the thing it is about and, where it can, the file and line.
Must not import anything from assetgraph.
"""

from __future__ import annotations

from collections.abc import Iterable


class AssetGraphError(Exception):
    """Base class of every error assetgraph raises on purpose."""

    doc_page: str | None = None

    def __str__(self) -> str:
        text = BaseException.__str__(self)  # not KeyError's, which would quote the message
        if self.doc_page:
            text += f"\nMore: docs/errors/{self.doc_page}.md"
        return text


class DefinitionError(AssetGraphError, ValueError):
    """The definitions are wrong: raised when definitions load, never halfway through a run."""

    doc_page = "definition-error"


class UnknownDependencyError(DefinitionError):
    doc_page = "unknown-dependency"


class DependencyCycleError(DefinitionError):
    doc_page = "dependency-cycle"


class DuplicateKeyError(DefinitionError):
    doc_page = "duplicate-key"


class SelectionError(AssetGraphError, ValueError):
    """A selection does not parse or does not fit the graph."""

    doc_page = "selection-error"

    def __init__(self, message: str, text: str | None = None, position: int | None = None) -> None:
        self.text = text
        self.position = position
        if text is not None and position is not None:
            message = f"{message}\n  {text}\n  {' ' * position}^"
        super().__init__(message)


class PartitionError(AssetGraphError, ValueError):
    """A partition key or range does not fit the asset's partitions definition."""

    doc_page = "partition-error"


class UnknownPartitionKeyError(PartitionError, KeyError):
    doc_page = "unknown-partition-key"

    def __str__(self) -> str:  # KeyError would quote the message
        return AssetGraphError.__str__(self)


class ConfigError(AssetGraphError, ValueError):
    """Run config or resource config is invalid."""

    doc_page = "config-error"


class UserCodeError(AssetGraphError):
    """User code raised: wraps the original exception (kept as ``__cause__``) and adds where it happened."""

    doc_page = "user-code-error"

    def __init__(self, message: str, *, original: BaseException | None = None,
                 asset_key: object = None, partition: str | None = None, run_id: str | None = None) -> None:
        self.original = original
        self.asset_key = asset_key
        self.partition = partition
        self.run_id = run_id
        super().__init__(message)


class RunFailedError(AssetGraphError):
    """A run did not succeed (raised by `materialize` when ``raise_on_error=True``)."""

    doc_page = "run-failed"


class StorageError(AssetGraphError):
    """The instance's storage failed or holds something we cannot read."""

    doc_page = "storage-error"


class InternalError(AssetGraphError):
    """Our bug: please report it with the message and traceback."""

    def __init__(self, message: str) -> None:
        super().__init__(f"{message}\nThis is a bug in assetgraph; please report it with this message and traceback.")


def close_matches(word: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """A handful of candidates close to ``word``, best first."""
    import difflib

    return difflib.get_close_matches(word, list(candidates), n=n, cutoff=0.6)
