#!/usr/bin/env bash
# Bootstrap benchmark (issue 5): 10,000 cluster-bootstrap replicates of the
# full change table (every measure, T0 to T2) of fixtures/vji, on 1 and on
# 2 threads, next to R doing the same resampling (bench/bootstrap.R).
# Needs R (Debian: apt-get install r-base-core). Usage: bash bench/bootstrap_vs_r.sh [REPLICATES] [R_REPLICATES]
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-10000}
RB=${2:-$B}
cargo build --release -q -p cohort-cli
tmp=$(mktemp -d)
target/release/cohort score fixtures/vji/study.toml --out "$tmp/scores.csv" > /dev/null
for threads in 1 2; do
  for run in 1 2; do
    /usr/bin/time -f "cohort, $threads thread(s): %e s, peak %M KB" env RAYON_NUM_THREADS=$threads \
      target/release/cohort change fixtures/vji/study.toml --from T0 --to T2 --bootstrap "$B" --json > "$tmp/change_$threads.json"
  done
done
cmp "$tmp/change_1.json" "$tmp/change_2.json" && echo "1 and 2 threads: identical output"
Rscript bench/bootstrap.R "$tmp/scores.csv" "$RB"
rm -rf "$tmp"
