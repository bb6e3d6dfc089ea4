"""Assets that print, run by the multi-process executor so each step's stdout and stderr are
captured to files:

    chatty       prints to stdout (one line with non-ASCII text) and to stderr
    held_chatty  prints one line, then waits until the file named by $CHATTY_RELEASE_FILE exists
                 (when that variable is unset it does not wait), then prints another
"""

import os
import sys
import time
from pathlib import Path

from assetgraph.definitions.asset import asset
from assetgraph.definitions.definitions import Definitions
from assetgraph.definitions.executors import MultiprocessExecutor

RELEASE_ENV = "CHATTY_RELEASE_FILE"


@asset
def chatty() -> None:
    print("hello from chatty")
    print("größe: 42 ✓")
    print("a warning on stderr", file=sys.stderr)


@asset
def held_chatty() -> None:
    print("held_chatty started", flush=True)
    release = os.environ.get(RELEASE_ENV)
    deadline = time.monotonic() + 60
    while release and not Path(release).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    print("held_chatty released")


defs = Definitions(assets=[chatty, held_chatty], executor=MultiprocessExecutor())
