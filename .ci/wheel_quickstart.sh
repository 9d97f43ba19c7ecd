#!/usr/bin/env bash
# CI: the README's wheel quickstart, as a user runs it: build the wheel, then run the README's
# `<!-- wheel-quickstart -->` block verbatim in a new directory outside the checkout (fresh venv,
# the README's extras). pip's cache, filled by scripts/setup.sh, keeps the install to minutes.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ovbuild-wheel.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$repo/.venv/bin/python" -m pip --disable-pip-version-check -q wheel --no-deps --no-build-isolation \
  -w "$work/dist" "$repo"
# The bash block after the marker, exactly as the README shows it.
"$repo/.venv/bin/python" - "$repo/README.md" >"$work/quickstart.sh" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
block = re.search(r"<!-- wheel-quickstart -->\s*```bash\n(.*?)\n```", text, re.S)
sys.exit("README.md: no wheel-quickstart block") if block is None else print(block.group(1))
PY
cd "$work"
unset PYTHONPATH OVBUILD_STORE OVBUILD_RECIPES OVBUILD_CONF VIRTUAL_ENV
start=$(date +%s)
bash -euxo pipefail "$work/quickstart.sh"
echo "wheel quickstart: $(grep -c . "$work/quickstart.sh") lines, $(( $(date +%s) - start )) s from an empty venv to the artifact's answer"
ovb/bin/ovbuild doctor | grep -E "torchvision|text_frontend"
