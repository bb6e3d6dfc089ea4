"""`DbtProject`: where a dbt project's manifest is, and producing it only when the project changed.

`prepare()` hashes the files dbt parses (SQL, YAML, CSV, Python models, Markdown docs, the
profile) and runs `dbt parse` only when the hash differs from the one stored next to the
manifest. Loading never calls dbt, and dbt is imported only when a parse is needed.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from assetgraph import DefinitionError
from assetgraph_dbt.locks import file_lock

PARSED_SUFFIXES = frozenset({".sql", ".yml", ".yaml", ".csv", ".py", ".md", ".jinja", ".jinja2"})
SKIPPED_DIRS = frozenset({"target", "logs", ".git", ".venv", "venv", "__pycache__", "node_modules"})
HASH_FILE = "assetgraph_manifest.hash"


class DbtProject:
    """A dbt project on disk.

    >>> DbtProject("dbt_project").manifest_path.as_posix()
    'dbt_project/target/manifest.json'
    """

    def __init__(self, project_dir: str | os.PathLike[str], profiles_dir: str | os.PathLike[str] | None = None,
                 target: str | None = None) -> None:
        self.project_dir = Path(project_dir)
        self.profiles_dir = Path(profiles_dir) if profiles_dir is not None else None
        self.target = target

    @property
    def target_dir(self) -> Path:
        return self.project_dir / "target"

    @property
    def manifest_path(self) -> Path:
        return self.target_dir / "manifest.json"

    @property
    def hash_path(self) -> Path:
        return self.target_dir / HASH_FILE

    def content_hash(self) -> str:
        """A hash of every file dbt parses, the profile and the target name."""
        h = hashlib.sha256(f"target={self.target}\n".encode())
        files = sorted(_project_files(self.project_dir))
        profile = self.profiles_file()
        if profile is not None and profile.exists():
            files.append(profile)
        for path in files:
            h.update(str(path.relative_to(self.project_dir) if path.is_relative_to(self.project_dir)
                         else path).encode())
            h.update(b"\0")
            h.update(path.read_bytes())
            h.update(b"\0")
        return h.hexdigest()

    def effective_profiles_dir(self) -> Path | None:
        """Where dbt reads profiles.yml: ``profiles_dir``, else $DBT_PROFILES_DIR, else the project
        folder when it holds one (we pass it to dbt), else dbt's own default (the current folder, ~/.dbt)."""
        if self.profiles_dir is not None:
            return self.profiles_dir
        env = os.environ.get("DBT_PROFILES_DIR")
        if env:
            return Path(env)
        if (self.project_dir / "profiles.yml").exists():
            return self.project_dir
        return None

    def profiles_file(self) -> Path | None:
        """The profiles.yml dbt will read, if any."""
        chosen = self.effective_profiles_dir()
        for d in ([chosen] if chosen is not None else [Path.cwd(), Path.home() / ".dbt"]):
            if (d / "profiles.yml").exists():
                return d / "profiles.yml"
        return None

    def is_stale(self) -> bool:
        if not self.manifest_path.exists() or not self.hash_path.exists():
            return True
        return self.hash_path.read_text().strip() != self.content_hash()

    def prepare(self) -> DbtProject:
        """Run `dbt parse` when the manifest is missing or the project changed since it was made.

        Returns the project, so ``DbtProject(path).prepare().manifest_path`` reads well.
        Raises `DefinitionError` with dbt's message when the parse fails.
        """
        if not self.project_dir.joinpath("dbt_project.yml").exists():
            raise DefinitionError(f"{self.project_dir} has no dbt_project.yml; DbtProject needs a dbt project folder.")
        self.target_dir.mkdir(parents=True, exist_ok=True)
        with file_lock(self.target_dir / ".assetgraph.lock"):
            digest = self.content_hash()
            if self.manifest_path.exists() and self.hash_path.exists() and self.hash_path.read_text().strip() == digest:
                return self
            from assetgraph_dbt.runner import run_dbt

            outcome = run_dbt(["parse"], self, callbacks=[])
            if not outcome.success:
                raise DefinitionError(f"`dbt parse` failed in {self.project_dir}:\n{outcome.message}")
            self.hash_path.write_text(digest + "\n")
        return self

    def __repr__(self) -> str:
        return f"DbtProject({str(self.project_dir)!r})"


def _project_files(root: Path) -> list[Path]:
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIPPED_DIRS and not d.startswith(".")]
        for f in filenames:
            if os.path.splitext(f)[1] in PARSED_SUFFIXES:
                out.append(Path(dirpath) / f)
    return out
