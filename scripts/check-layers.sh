#!/usr/bin/env bash
# check-layers.sh — every arrow points down (docs/ARCHITECTURE.md "Layers"): no object of core, db,
# http or model uses a symbol defined in flow or modules, and no flow object one defined in modules.
# Reads the test build's objects (build/tst); a lower layer reaches a higher one only through a
# function the higher one registers at start.
set -euo pipefail
cd "$(dirname "$0")/../build/tst"
defined() { nm --defined-only -g "$@" 2>/dev/null | awk 'NF==3{print $3}' | sort -u; }
flow=$(mktemp) mods=$(mktemp)
trap 'rm -f "$flow" "$mods"' EXIT
defined flow/*.o >"$flow"
defined modules/*.o >"$mods"
bad=0
for o in core/*.o db/*.o http/*.o model/*.o flow/*.o; do
  for up in flow modules; do
    [[ $o == flow/* && $up == flow ]] && continue
    list=$([[ $up == flow ]] && echo "$flow" || echo "$mods")
    hits=$(nm -u "$o" | awk '{print $2}' | sort -u | comm -12 - "$list")
    if [[ -n "$hits" ]]; then echo "layers: $o calls up into $up: $hits" >&2; bad=1; fi
  done
done
exit $bad
