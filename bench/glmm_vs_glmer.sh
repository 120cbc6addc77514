#!/usr/bin/env bash
# A Poisson random-intercept model, GROUPS groups x 4 observations
# (default 50,000), fitted by cohort-models (Laplace) and by lme4's glmer
# in the same run; prints each one's time (fit only, data in memory) and
# deviance (-2 logLik). Installs R and lme4 from Debian on first use.
#   bash bench/glmm_vs_glmer.sh [GROUPS]
set -euo pipefail
cd "$(dirname "$0")/.."
groups=${1:-50000}
if ! Rscript -e 'library(lme4)' >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        r-base-core r-cran-lme4 >/dev/null
fi
mkdir -p bench/data
data=bench/data/glmm_poisson_$groups.csv
if [ ! -f "$data" ]; then
    python3 - "$groups" "$data" <<'PY'
import math, random, sys
groups, path = int(sys.argv[1]), sys.argv[2]
rng = random.Random(20261204)
with open(path, "w") as f:
    f.write("id,time,y\n")
    for g in range(groups):
        b = rng.gauss(0, 0.5)
        for t in range(4):
            mu = math.exp(1.0 - 0.2 * t + b)
            limit, k, p = math.exp(-mu), 0, 1.0
            while True:
                p *= rng.random()
                if p <= limit:
                    break
                k += 1
            f.write(f"g{g},{t},{k}\n")
PY
fi
cargo build -q --release -p cohort-models --example lmm_csv
echo "cohort: $(target/release/examples/lmm_csv "$data" 'y ~ time + (1 | id)' family=poisson)"
Rscript - "$data" <<'R'
suppressMessages(library(lme4))
d <- read.csv(commandArgs(trailingOnly = TRUE)[1])
d$id <- factor(d$id)
t <- system.time(fit <- glmer(y ~ time + (1 | id), data = d, family = poisson))[["elapsed"]]
cat(sprintf("glmer (default control): seconds %.2f deviance %.7f fixef %s\n", t,
  -2 * as.numeric(logLik(fit)), paste(format(fixef(fit), digits = 10), collapse = " ")))
ctl <- glmerControl(optimizer = "bobyqa", tolPwrss = 1e-12, optCtrl = list(rhoend = 1e-10, maxfun = 1e5))
t <- system.time(fit <- glmer(y ~ time + (1 | id), data = d, family = poisson, control = ctl))[["elapsed"]]
cat(sprintf("glmer (tight bobyqa): seconds %.2f deviance %.7f fixef %s\n", t,
  -2 * as.numeric(logLik(fit)), paste(format(fixef(fit), digits = 10), collapse = " ")))
R
