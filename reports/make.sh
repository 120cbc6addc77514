#!/usr/bin/env bash
# Regenerates every committed report and the expected files of
# fixtures/vji from the shipped fixture. Run from the repository root:
#   bash reports/make.sh
# The expected files are regression values: check each change by hand
# (git diff) before committing it.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --workspace
bin=target/release
"$bin/cohort" report fixtures/vji/study.toml --out reports/vji
for a in findings effectiveness trauma attrition; do
  "$bin/vji-$a" fixtures/vji/study.toml --out "reports/vji-$a" \
    --expected "fixtures/vji/expected/vji-$a.json"
done
"$bin/cohort" verify fixtures
