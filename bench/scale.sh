#!/usr/bin/env bash
# The cost of the bootstrap against the cohort's size: `cohort synth`
# cohorts of FAMILIES families (default 10,000 30,000 100,000 300,000),
# then `cohort describe` with 2,000 replicates and without (the
# difference is the bootstrap), each with its time and peak memory.
#   bash bench/scale.sh [FAMILIES ...]
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 30000 100000 300000)
cargo build -q --release -p cohort-cli
bin=target/release/cohort
mkdir -p bench/data
printf '| families | rows | describe, no bootstrap | describe, 2,000 replicates | bootstrap per family |\n'
printf '| --- | --- | --- | --- | --- |\n'
for n in "${sizes[@]}"; do
    dir=bench/data/scale_$n
    [ -f "$dir/study.toml" ] || $bin synth --preset vji --seed 7 --families "$n" --out "$dir" > /dev/null 2>&1
    rows=$(($(wc -l < "$dir/panel.csv") - 1))
    measure() { # args -> "seconds s, GB"
        /usr/bin/time -f "%e %M" "$bin" describe "$dir/study.toml" "$@" 2>&1 > /dev/null | tail -1
    }
    read -r t0 m0 <<< "$(measure --bootstrap 0)"
    read -r t1 m1 <<< "$(measure --bootstrap 2000)"
    per=$(python3 -c "print(f'{($t1 - $t0) / $n * 1e6:.0f} us')")
    printf '| %s | %s | %s s, %.2f GB | %s s, %.2f GB | %s |\n' "$n" "$rows" "$t0" \
        "$(python3 -c "print($m0 / 1048576)")" "$t1" "$(python3 -c "print($m1 / 1048576)")" "$per"
done
