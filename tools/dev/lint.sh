#!/usr/bin/env bash
# Lint (ruff) and type-check (mypy) the package, as CI does: bash tools/dev/lint.sh
# Needs the lint extra: pip install -e ".[lint]". The checkout is the package aecodec itself, so
# mypy reads it through a link named aecodec in a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
ruff check .
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
ln -s "$PWD" "$root/aecodec"
(cd "$root" && mypy --config-file "$OLDPWD/pyproject.toml" -p aecodec.bitstream -p aecodec.codec \
    -p aecodec.tools.cli -p aecodec.tools.training -p aecodec.tools.evaluation)
