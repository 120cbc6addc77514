#!/usr/bin/env bash
# The cost of the bootstrap against the cohort's size: `cohort synth`
# cohorts of FAMILIES families (default 10,000 30,000 100,000 300,000
# 1,000,000), then `cohort describe` with 2,000 replicates and without
# (the difference is the bootstrap), and `cohort change --from T0 --to T2`
# with 2,000 replicates, each with its time and peak memory; the last
# columns are the cost per family, which is flat when the cost is linear.
#   bash bench/scale.sh [FAMILIES ...]
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 30000 100000 300000 1000000)
cargo build -q --release -p cohort-cli
bin=target/release/cohort
mkdir -p bench/data
printf '| families | rows | describe, no bootstrap | describe, 2,000 replicates | change, 2,000 replicates | describe bootstrap per family | change per family |\n'
printf '| --- | --- | --- | --- | --- | --- | --- |\n'
for n in "${sizes[@]}"; do
    dir=bench/data/scale_$n
    [ -f "$dir/study.toml" ] || $bin synth --preset vji --seed 7 --families "$n" --out "$dir" > /dev/null 2>&1
    rows=$(($(wc -l < "$dir/panel.csv") - 1))
    measure() { # command, args -> "seconds peak-KB"
        local cmd=$1; shift
        /usr/bin/time -f "%e %M" "$bin" "$cmd" "$dir/study.toml" "$@" 2>&1 > /dev/null | tail -1
    }
    read -r t0 m0 <<< "$(measure describe --bootstrap 0)"
    read -r t1 m1 <<< "$(measure describe --bootstrap 2000)"
    read -r t2 m2 <<< "$(measure change --from T0 --to T2 --bootstrap 2000)"
    per=$(python3 -c "print(f'{($t1 - $t0) / $n * 1e6:.0f} us')")
    per2=$(python3 -c "print(f'{$t2 / $n * 1e6:.0f} us')")
    gb() { python3 -c "print(f'{$1 / 1048576:.2f}')"; }
    printf '| %s | %s | %s s, %s GB | %s s, %s GB | %s s, %s GB | %s | %s |\n' "$n" "$rows" \
        "$t0" "$(gb "$m0")" "$t1" "$(gb "$m1")" "$t2" "$(gb "$m2")" "$per" "$per2"
done
