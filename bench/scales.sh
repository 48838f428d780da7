#!/usr/bin/env bash
# scales.sh — the table of scale 1 and scale 10 side by side, from the result files `make bench` writes
# at each scale (bench/results/sqlite-scale1.tsv, sqlite-scale10.tsv); printed by scripts/bench.sh into
# docs/PERFORMANCE.md when both are there, or by hand after a scale-10 run written elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
cat <<'EOT'
## Scale 1 and scale 10 side by side

The same scenarios at `BENCH_SCALE=1` and `BENCH_SCALE=10` (SQLite), each from its own `make bench` run
(bench/results/sqlite-scale*.tsv; the load average of each run below). Growth = scale 10 / scale 1: a page's
cost should grow with the page and log(rows), so a p99 growth near 1 is the aim. The runs were at different
times on a shared machine: compare the growth of one figure, not absolute values across the two runs.

| scenario | req/s ×1 | req/s ×10 | p99 ms ×1 | p99 ms ×10 | p99 growth |
|---|---:|---:|---:|---:|---:|
EOT
awk -F'\t' '
  FNR == 1 { f++ }
  $1 == "load" { load[f] = $2 }
  $1 == "rows" { rows[f] = $2 }
  $1 == "run" { if (f == 1) order[++n] = $2; rps[f, $2] = $3; p99[f, $2] = $5 }
  END {
    for (i = 1; i <= n; i++) {
      k = order[i]
      if (!((2, k) in rps)) continue
      # a run that finished no request has no p99: said so, not written as 0
      a = p99[1, k] > 0 ? sprintf("%.2f", p99[1, k] / 1000) : "none finished"
      b = p99[2, k] > 0 ? sprintf("%.2f", p99[2, k] / 1000) : "none finished"
      g = p99[1, k] > 0 && p99[2, k] > 0 ? sprintf("%.2f", p99[2, k] / p99[1, k]) : "–"
      printf "| %s | %.1f | %.1f | %s | %s | %s |\n", k, rps[1, k], rps[2, k], a, b, g
    }
    printf "\nCustomers: %s (scale 1), %s (scale 10). Load average before / after the run: scale 1: %s; scale 10: %s.\n\n", rows[1], rows[2], load[1], load[2]
  }' bench/results/sqlite-scale1.tsv bench/results/sqlite-scale10.tsv
