#!/usr/bin/env bash
# A random intercept and slope model, GROUPS groups x 4 observations
# (default 125,000), fitted by cohort-models and by lme4 in the same run;
# prints each one's time (fit only, data already in memory) and REML
# criterion. Installs R and lme4 from Debian on first use.
#   bash bench/lmm_vs_lme4.sh [GROUPS] [RUNS]
# Then the VJI-sized nested model (best of 50 fits, and lme4 best of 20).
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

# The VJI-sized nested model: 1,100 families of 1-3 members (children and
# parents), three waves with dropout (about 3,700 rows), random family and
# member intercepts.
nested=bench/data/lmm_nested_vji.csv
if [ ! -f "$nested" ]; then
    python3 - "$nested" <<'PY'
import random, sys
rng = random.Random(20261203)
with open(sys.argv[1], "w") as f:
    f.write("family,member,wave,y\n")
    for fam in range(1100):
        b_fam = rng.gauss(0, 3.4)
        for m in range(rng.choice([1, 1, 2, 2, 2, 3])):
            b_mem = rng.gauss(0, 6.5)
            for w in range(3):
                if w > 0 and rng.random() < 0.3 * w:
                    break
                y = 8.6 - 0.9 * (w == 2) + b_fam + b_mem + rng.gauss(0, 2.2)
                f.write(f"F{fam},M{fam}_{m},{w},{y:.4f}\n")
PY
fi
nested_formula='y ~ factor(wave) + (1 | family/member)'
echo "cohort nested: $(target/release/examples/lmm_csv "$nested" "$nested_formula" repeat=50)"
Rscript - "$nested" <<'R'
suppressMessages(library(lme4))
d <- read.csv(commandArgs(trailingOnly = TRUE)[1])
times <- sapply(1:20, function(i) system.time(fit <<- lmer(y ~ factor(wave) + (1 | family/member), data = d, REML = TRUE))[["elapsed"]])
cat(sprintf("lme4 nested (default control): best of 20 %.4f s, median %.4f s, criterion %.10f, %d rows\n", min(times), median(times), REMLcrit(fit), nrow(d)))
R
