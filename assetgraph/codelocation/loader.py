"""Finding and importing a code location: a module or file that exposes a `Definitions`.

The only place that imports user code. Errors name the file and line (syntax errors) or the
module (import errors), and keep the user's traceback.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from assetgraph.definitions.definitions import Definitions
from assetgraph.definitions.errors import AssetGraphError, DefinitionError


class CodeLocationError(AssetGraphError):
    """A code location could not be found or loaded."""

    doc_page = "code-location-error"


@dataclass(frozen=True)
class CodeLocationTarget:
    """Where a code location's `Definitions` lives: a module or a file, and optionally an attribute."""

    module: str | None = None
    file: str | None = None
    attribute: str | None = None
    working_directory: str | None = None

    @property
    def name(self) -> str:
        if self.module:
            return self.module
        return Path(self.file or "defs").stem

    def describe(self) -> str:
        where = f"module {self.module}" if self.module else f"file {self.file}"
        return f"{where}" + (f" (attribute {self.attribute})" if self.attribute else "")


def find_target(module: str | None = None, file: str | None = None, attribute: str | None = None,
                cwd: str | None = None) -> CodeLocationTarget:
    """``-m``/``-f`` when given; otherwise ``[tool.assetgraph]`` in the nearest pyproject.toml."""
    if module and file:
        raise CodeLocationError("Pass -m MODULE or -f FILE, not both.")
    if module or file:
        return CodeLocationTarget(module, os.path.abspath(file) if file else None, attribute, cwd or os.getcwd())
    start = Path(cwd or os.getcwd()).resolve()
    for folder in (start, *start.parents):
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise CodeLocationError(f"{pyproject} is not valid TOML: {exc}") from None
            section = config.get("tool", {}).get("assetgraph")
            if section is None:
                continue
            mod, path = section.get("module"), section.get("file")
            if not mod and not path:
                raise CodeLocationError(f"[tool.assetgraph] in {pyproject} needs module = \"pkg.defs\" or file = \"defs.py\".")
            return CodeLocationTarget(mod, str(folder / path) if path else None,
                                      attribute or section.get("attribute"), str(folder))
    raise CodeLocationError(
        "No code location: pass -m MODULE or -f FILE, or add to pyproject.toml:\n"
        "  [tool.assetgraph]\n  module = \"my_project.definitions\""
    )


def load_definitions(target: CodeLocationTarget) -> Definitions:
    """Import the target and return its `Definitions`."""
    if target.working_directory and target.working_directory not in sys.path:
        sys.path.insert(0, target.working_directory)
    try:
        if target.module:
            module = importlib.import_module(target.module)
        else:
            module = _import_file(Path(target.file or ""))
    except SyntaxError as exc:
        raise CodeLocationError(
            f"Syntax error in {exc.filename}:{exc.lineno}: {exc.msg}\n  {(exc.text or '').rstrip()}"
        ) from exc
    except (DefinitionError, CodeLocationError):
        raise
    except ModuleNotFoundError as exc:
        if target.module and exc.name and target.module.startswith(exc.name):
            raise CodeLocationError(
                f"Cannot import code location module {target.module!r}: {exc}. Run from the project folder, "
                f"or install the project (pip install -e .)."
            ) from exc
        raise CodeLocationError(f"Importing {target.describe()} failed: {type(exc).__name__}: {exc}") from exc
    except Exception as exc:
        raise CodeLocationError(f"Importing {target.describe()} failed: {type(exc).__name__}: {exc}") from exc
    return _find_definitions(module, target)


def _import_file(path: Path) -> ModuleType:
    if not path.is_file():
        raise CodeLocationError(f"Code location file {path} does not exist.")
    name = f"__assetgraph_location__{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise CodeLocationError(f"Cannot load {path} as a Python module.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _find_definitions(module: object, target: CodeLocationTarget) -> Definitions:
    if target.attribute:
        value = getattr(module, target.attribute, None)
        if not isinstance(value, Definitions):
            raise CodeLocationError(f"{target.describe()} has no Definitions named {target.attribute!r}.")
        return value
    found = [(k, v) for k, v in vars(module).items() if isinstance(v, Definitions)]
    if len(found) == 1:
        return found[0][1]
    if not found:
        raise CodeLocationError(
            f"{target.describe()} defines no Definitions object; add `defs = Definitions(assets=[...])`."
        )
    names = ", ".join(k for k, _ in found)
    raise CodeLocationError(f"{target.describe()} defines several Definitions ({names}); set attribute = \"...\" "
                            f"in [tool.assetgraph] or pass -a NAME.")
