#!/usr/bin/env bash
# node-check.sh [WHAT] — exit 0 when `node` and `npm` on PATH can build the web UI and run the
# JavaScript tests; otherwise say what is wrong and exit 1. WHAT names the caller in the message.
# The floor is Node 18.20, the Node 18 that Debian 12 ships (nodejs 18.20.4) and the oldest one the
# build and tests are run on; any newer Node works too. The tool versions are held to ones that run
# on Node 18: Vite 6 and @vitejs/plugin-vue 5 (web/package.json), playwright-core 1.61
# (tests/browser/package.json); the engines fields there say the same.
set -euo pipefail

what="${1:-salesloop}"
min_major=18 min_minor=20
fix="install Debian's nodejs and npm (scripts/deps.sh, or: apt-get install nodejs npm), or put a Node >= ${min_major}.${min_minor} first in PATH"

if ! command -v node >/dev/null; then
  echo "$what: node not found; $fix" >&2; exit 1
fi
if ! command -v npm >/dev/null; then
  echo "$what: npm not found (node is $(command -v node)); $fix" >&2; exit 1
fi
ver="$(node -p 'process.versions.node' 2>/dev/null || true)"
IFS=. read -r major minor _ <<<"${ver:-0.0.0}"
if [[ ! "$major" =~ ^[0-9]+$ || ! "$minor" =~ ^[0-9]+$ ]] ||
   ((major < min_major || (major == min_major && minor < min_minor))); then
  echo "$what: node ${ver:-?} at $(command -v node) is too old: the web build (Vite) and the tests need Node >= ${min_major}.${min_minor}; $fix" >&2
  exit 1
fi
