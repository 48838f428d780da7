#!/usr/bin/env bash
# deps.sh — install every Debian package salesloop needs to build, run and test,
# when one is missing. Runs as root or through sudo; does nothing when all are there.
set -euo pipefail

pkgs=(build-essential pkg-config libh2o-evloop-dev libjansson-dev libsodium-dev libsqlite3-dev
      sqlite3 libpq-dev libxlsxwriter-dev libssl-dev zlib1g-dev libcmocka-dev libopencc-dev libicu-dev
      libzip-dev libexpat1-dev libmagic-dev libgdk-pixbuf-2.0-dev libcairo2-dev libpango1.0-dev fonts-noto-cjk
      postgresql nodejs npm chromium fonts-wqy-microhei wrk nginx-light clang clang-format cppcheck poppler-utils)
# Only what a test or benchmark run needs beyond building; kept in one list so CI and a new
# developer install the same set.

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node and npm may come from outside Debian on a developer machine; accept any pair on PATH that is
# new enough (Node >= 18.20, scripts/node-check.sh; Debian 12's nodejs 18.20.4 is). When it is not,
# (re)install Debian's: that installs or upgrades the packages, and the check at the end says
# what is still wrong (e.g. an older node from elsewhere first in PATH).
here="$(cd "$(dirname "$0")" && pwd)"
if "$here/node-check.sh" deps >/dev/null 2>&1; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
else
  missing+=(nodejs npm)
fi
want=()
for p in "${missing[@]}"; do [[ -n "$p" && " ${want[*]} " != *" $p "* ]] && want+=("$p"); done
((${#want[@]})) || exit 0

echo "deps: installing ${want[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "deps: need root or sudo to install: ${want[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
# A fresh postgresql package starts a cluster on 5432; the tests run their own on loopback.

# The node now first in PATH must be new enough for the web build and the tests.
"$here/node-check.sh" deps
