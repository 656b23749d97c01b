#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu).
# System packages, then the grader and its dependencies in a virtual environment at
# $AUTOGRADER_ROOT/venv (default /autograder/venv), installed editable from the bundle so that
# autograder/ and solutions/ stay side by side in /autograder/source.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends bubblewrap python3 python3-venv python3-pip
python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --upgrade pip
"$ROOT/venv/bin/python" -m pip install -e "$ROOT/source"
