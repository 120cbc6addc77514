#!/usr/bin/env bash
# Runs each fuzz target for RUNS executions (default 10,000,000), seeded
# with the fixtures, and prints libFuzzer's final statistics.
# Needs a nightly toolchain and cargo-fuzz (cargo install cargo-fuzz).
# Usage: bash fuzz/run.sh [target ...]   (RUNS=1000000 for a shorter run;
# SECONDS_EACH=1800 to stop each target after that many seconds instead)
set -euo pipefail
cd "$(dirname "$0")"
RUNS=${RUNS:-10000000}
SECONDS_EACH=${SECONDS_EACH:-0}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(study_file csv_long csv_wide formula)

seed() { # target, files...
    local t=$1; shift
    mkdir -p "corpus/$t"
    for f in "$@"; do
        [ -f "$f" ] && cp "$f" "corpus/$t/seed-$(echo "$f" | tr '/.' '__')"
    done
}
seed study_file ../fixtures/*/study*.toml ../fixtures/bad/*/study.toml ../fixtures/odd/*/study.toml
seed csv_long ../fixtures/small/panel_long.csv ../fixtures/bad/*/panel.csv \
    $(grep -L 'layout = "wide"' ../fixtures/odd/*/study.toml | sed 's/study.toml/panel.csv/')
mkdir -p corpus/formula
for f in "y ~ x" "y ~ factor(wave) + (1 | family_id)" "y ~ time * trt + (time || id)" \
    "y ~ 0 + a:b + (1 | g1/g2)" "y ~ x - 1"; do
    printf '%s' "$f" > "corpus/formula/seed-$(printf '%s' "$f" | sha1sum | cut -c1-12)"
done
seed csv_wide ../fixtures/small/panel_wide.csv \
    $(grep -l 'layout = "wide"' ../fixtures/odd/*/study.toml | sed 's/study.toml/panel.csv/')

status=0
for t in "${targets[@]}"; do
    echo "== $t: $RUNS executions"
    # Release build with debug assertions and overflow checks, without
    # AddressSanitizer (safe Rust; a sanitizer costs 5-10x the speed).
    # A run fails on a panic, on an execution over 10 s, on more than
    # 2 GiB of memory or on a single allocation over 512 MiB.
    if cargo +nightly fuzz run -O -a -s none "$t" "corpus/$t" -- \
        -runs="$RUNS" -max_total_time="$SECONDS_EACH" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
        -malloc_limit_mb=512 -print_final_stats=1 > "$t.log" 2>&1; then
        grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done)' "$t.log"
    else
        status=1
        echo "$t FAILED (fuzz/$t.log, fuzz/artifacts/$t/):"
        grep -E 'panicked|ERROR|SUMMARY|Test unit written' "$t.log" | head -20
    fi
done
exit $status
