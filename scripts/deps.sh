#!/usr/bin/env bash
# deps.sh — install every Debian package salesloop needs to build, run and test,
# when one is missing. Runs as root or through sudo; does nothing when all are there.
set -euo pipefail

pkgs=(build-essential pkg-config libh2o-evloop-dev libjansson-dev libsodium-dev libsqlite3-dev
      sqlite3 libpq-dev libxlsxwriter-dev libssl-dev zlib1g-dev libcmocka-dev libopencc-dev
      libzip-dev libexpat1-dev libmagic-dev libgdk-pixbuf-2.0-dev libcairo2-dev libpango1.0-dev fonts-noto-cjk
      postgresql nodejs npm chromium fonts-wqy-microhei wrk nginx-light clang clang-format cppcheck poppler-utils)
# Only what a test or benchmark run needs beyond building; kept in one list so CI and a new
# developer install the same set.

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node and npm may come from outside Debian on a developer machine; accept any working pair.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
want=()
for p in "${missing[@]}"; do [[ -n "$p" ]] && want+=("$p"); done
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
