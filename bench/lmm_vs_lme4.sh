#!/usr/bin/env bash
# A random intercept and slope model, GROUPS groups x 4 observations
# (default 125,000), fitted by cohort-models and by lme4 in the same run;
# prints each one's time (fit only, data already in memory) and REML
# criterion. Installs R and lme4 from Debian on first use.
#   bash bench/lmm_vs_lme4.sh [GROUPS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
groups=${1:-125000}
runs=${2:-3}
if ! Rscript -e 'library(lme4)' >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        r-base-core r-cran-lme4 r-cran-geepack >/dev/null
fi
mkdir -p bench/data
data=bench/data/lmm_$groups.csv
if [ ! -f "$data" ]; then
    python3 - "$groups" "$data" <<'PY'
import random, sys
groups, path = int(sys.argv[1]), sys.argv[2]
rng = random.Random(20261202)
with open(path, "w") as f:
    f.write("id,time,y\n")
    for g in range(groups):
        b0, b1 = rng.gauss(0, 25), rng.gauss(0, 6)
        for t in range(4):
            f.write(f"g{g},{t},{250 + 10 * t + b0 + b1 * t + rng.gauss(0, 25):.4f}\n")
PY
fi
cargo build -q --release -p cohort-models --example lmm_csv
formula='y ~ time + (time | id)'
for r in $(seq "$runs"); do
    echo "cohort: $(target/release/examples/lmm_csv "$data" "$formula")"
done
Rscript - "$data" "$runs" <<'R'
suppressMessages(library(lme4))
a <- commandArgs(trailingOnly = TRUE)
d <- read.csv(a[1])
d$id <- factor(d$id)
for (r in seq_len(as.integer(a[2]))) {
  t <- system.time(fit <- lmer(y ~ time + (time | id), data = d, REML = TRUE))[["elapsed"]]
  cat(sprintf("lme4 (default control): seconds %.3f criterion %.10f\n", t, REMLcrit(fit)))
}
t <- system.time(fit <- lmer(y ~ time + (time | id), data = d, REML = TRUE,
  control = lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-10, maxfun = 1e5))))[["elapsed"]]
cat(sprintf("lme4 (tight bobyqa): seconds %.3f criterion %.10f\n", t, REMLcrit(fit)))
cat(sprintf("lme4 fixef: %s\n", paste(format(fixef(fit), digits = 12), collapse = " ")))
R
