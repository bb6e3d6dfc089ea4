# Sourced by scripts/test and scripts/dev: create .venv and keep the editable install current.
#
# ensure_venv EXTRA installs `-e .[EXTRA]` into .venv, and skips the install when pyproject.toml
# has not changed since the last one for that extra (a stamp file in .venv holds its hash).

PYTHON="${PYTHON:-python3}"

require_python() {
    if ! command -v "$PYTHON" >/dev/null 2>&1; then
        echo "error: $PYTHON not found; install Python 3.11+ or set PYTHON=/path/to/python3" >&2
        exit 1
    fi
    if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        echo "error: assetgraph needs Python 3.11+, $PYTHON is $("$PYTHON" -V 2>&1);" \
             "set PYTHON=/path/to/python3.11" >&2
        exit 1
    fi
}

pyproject_hash() {
    "$1" -c 'import hashlib, sys; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())'
}

ensure_venv() {
    local extra="$1"
    local stamp=".venv/.assetgraph-installed-$extra"
    if [[ ! -x .venv/bin/python ]]; then
        require_python
        echo "creating .venv with $("$PYTHON" -V 2>&1)" >&2
        "$PYTHON" -m venv .venv
    fi
    local want
    want="$(pyproject_hash .venv/bin/python)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
        return 0
    fi
    echo "installing assetgraph[$extra] into .venv (pyproject.toml changed or first run)" >&2
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[$extra]"
    echo "$want" >"$stamp"
}
