"""Create the peer's virtual environment, ``bench/.venv-dagster``, with Dagster pinned.

Dagster is installed only here, never as a dependency of assetgraph. Run with any Python 3.11+:

    python bench/peer_env.py            # create or update
    python bench/peer_env.py --check    # print the installed version, exit 1 if missing
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import venv
from pathlib import Path

DAGSTER_VERSION = "1.13.29"
BENCH_DIR = Path(__file__).resolve().parent
PEER_VENV = BENCH_DIR / ".venv-dagster"


def peer_python() -> Path:
    """Return the interpreter of the peer's virtual environment (it may not exist yet)."""
    return PEER_VENV / "bin" / "python"


def installed_version() -> str | None:
    """Return the Dagster version installed in the peer environment, or None."""
    if not peer_python().exists():
        return None
    result = subprocess.run(
        [str(peer_python()), "-c", "from dagster.version import __version__; print(__version__)"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() if result.returncode == 0 else None


def create(version: str = DAGSTER_VERSION) -> None:
    """Create the environment if needed and install ``dagster==version`` into it."""
    if installed_version() == version:
        print(f"dagster {version} already installed in {PEER_VENV}")
        return
    if not peer_python().exists():
        venv.EnvBuilder(with_pip=True).create(PEER_VENV)
    pip = [str(peer_python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, f"dagster=={version}"], check=True)
    print(f"dagster {installed_version()} installed in {PEER_VENV}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default=DAGSTER_VERSION, help="Dagster version to install")
    parser.add_argument("--check", action="store_true", help="only report what is installed")
    args = parser.parse_args(argv)
    if args.check:
        found = installed_version()
        print(found or f"dagster is not installed in {PEER_VENV}; run: python bench/peer_env.py")
        return 0 if found else 1
    create(args.version)
    return 0


if __name__ == "__main__":
    sys.exit(main())
