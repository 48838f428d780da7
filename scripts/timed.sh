#!/usr/bin/env bash
# timed.sh NAME CMD... — run CMD and say how long it took and how busy the machine's cores were
# meanwhile (every process's CPU, PostgreSQL's and the browsers' too, from /proc/stat): the figures
# by which make test's phases are balanced (docs/ARCHITECTURE.md, "Tests and their time").
name=$1; shift
busy() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat 2>/dev/null || echo 0; }
hz=$(getconf CLK_TCK); cores=$(nproc)
b0=$(busy); t0=$(date +%s)
"$@"; rc=$?
b1=$(busy); t1=$(date +%s)
wall=$((t1 - t0)); cpu=$(((b1 - b0) / hz))
# the CPU of CMD's own processes (every one it waited for: the browsers and the servers the tests start;
# not PostgreSQL's, which pg_ctl detaches) apart from the rest of the machine's
tf=$(mktemp); times >"$tf" # (in this shell: in a pipe or $(...) it would count a subshell's children)
own=$(awk 'NR == 2 { n = 0; for (i = 1; i <= 2; i++) { split($i, a, "m"); n += a[1] * 60 + a[2] } printf "%d", n }' "$tf"); rm -f "$tf"
echo "timed: $name took $wall s; the machine's $cores cores were busy $cpu CPU-s of $((wall * cores)) ($((wall > 0 ? 100 * cpu / (wall * cores) : 0)) %)," \
     "$own CPU-s of it its own processes'" >&2
exit $rc
