#!/usr/bin/env bash
# GLMMs by cohort-models (Laplace) next to lme4's glmer and glmmTMB in the
# same run; prints each one's time (fit only, data in memory) and deviance
# (-2 logLik). Installs R, lme4 and glmmTMB from Debian on first use.
#   bash bench/glmm_vs_glmer.sh [GROUPS]
# 1. A Poisson random intercept, GROUPS groups x 4 observations (default
#    50,000), and cohort alone at GROUPS/4, GROUPS/2 and 2 GROUPS (the
#    cost per group).
# 2. The VJI-sized logistic model with children nested in families
#    (trauma.total.clinical of fixtures/vji, 1,100 families).
# 3. The NB2 random intercept on the VJI family incidents (glmmTMB only:
#    glmer has no NB2 with theta estimated jointly).
set -euo pipefail
cd "$(dirname "$0")/.."
groups=${1:-50000}
if ! Rscript -e 'library(lme4); library(glmmTMB)' >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        r-base-core r-cran-lme4 r-cran-glmmtmb >/dev/null
fi
mkdir -p bench/data
poisson_data() { # groups -> path
    local path=bench/data/glmm_poisson_$1.csv
    if [ ! -f "$path" ]; then
        python3 - "$1" "$path" <<'PY'
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
    echo "$path"
}
cargo build -q --release -p cohort-cli
cargo build -q --release -p cohort-models --example lmm_csv
fit=target/release/examples/lmm_csv

echo "== 1. Poisson random intercept, $groups groups x 4"
data=$(poisson_data "$groups")
echo "cohort: $($fit "$data" 'y ~ time + (1 | id)' family=poisson)"
Rscript - "$data" <<'R'
suppressMessages({library(lme4); library(glmmTMB)})
d <- read.csv(commandArgs(trailingOnly = TRUE)[1])
d$id <- factor(d$id)
report <- function(who, t, ll, b) cat(sprintf("%s: seconds %.2f deviance %.7f intercept %.10f\n",
  who, t, -2 * ll, b))
t <- system.time(fit <- glmer(y ~ time + (1 | id), data = d, family = poisson))[["elapsed"]]
report("glmer (default control)", t, as.numeric(logLik(fit)), fixef(fit)[1])
ctl <- glmerControl(optimizer = "bobyqa", tolPwrss = 1e-12, optCtrl = list(rhoend = 1e-10, maxfun = 1e5))
t <- system.time(fit <- glmer(y ~ time + (1 | id), data = d, family = poisson, control = ctl))[["elapsed"]]
report("glmer (tight bobyqa)", t, as.numeric(logLik(fit)), fixef(fit)[1])
t <- system.time(fit <- glmmTMB(y ~ time + (1 | id), data = d, family = poisson))[["elapsed"]]
report("glmmTMB (default)", t, as.numeric(logLik(fit)), fixef(fit)$cond[1])
R
for g in $((groups / 4)) $((groups / 2)) $((groups * 2)); do
    echo "cohort, $g groups: $($fit "$(poisson_data "$g")" 'y ~ time + (1 | id)' family=poisson)"
done

echo "== 2. and 3. The VJI fixture: nested logistic, NB2 random intercept"
scores=bench/data/vji_scores.csv
target/release/cohort score fixtures/vji/study.toml --wide --out "$scores" > /dev/null
python3 - "$scores" <<'PY'
import csv, sys
base = sys.argv[1][:-4]
with open(sys.argv[1]) as f, open(base + "_clinical.csv", "w", newline="") as out:
    w = csv.writer(out)
    w.writerow(["family_id", "respondent_id", "wave", "clinical"])
    for r in csv.DictReader(f):
        if r["trauma.total.clinical"] != "":
            w.writerow(["f" + r["cluster"], "r" + r["respondent"], "w" + r["wave"],
                        r["trauma.total.clinical"]])
with open(base + ".family.csv") as f, open(base + "_incidents.csv", "w", newline="") as out:
    w = csv.writer(out)
    w.writerow(["family_id", "wave", "incidents"])
    for r in csv.DictReader(f):
        if r["family_incidents"] != "":
            w.writerow(["f" + r["cluster"], "w" + r["wave"], r["family_incidents"]])
PY
echo "cohort nested: $($fit "${scores%.csv}_clinical.csv" 'clinical ~ wave + (1 | family_id/respondent_id)' family=binomial repeat=5)"
echo "cohort NB2: $($fit "${scores%.csv}_incidents.csv" 'incidents ~ wave + (1 | family_id)' family=negbin repeat=5)"
Rscript - "${scores%.csv}" <<'R'
suppressMessages({library(lme4); library(glmmTMB)})
base <- commandArgs(trailingOnly = TRUE)[1]
d <- read.csv(paste0(base, "_clinical.csv"))
report <- function(who, t, ll) cat(sprintf("%s: seconds %.3f deviance %.7f\n", who, t, -2 * ll))
best <- function(f) min(replicate(5, system.time(f())[["elapsed"]]))
t <- best(function() fit <<- glmer(clinical ~ wave + (1 | family_id/respondent_id), data = d, family = binomial))
report("glmer nested (default control)", t, as.numeric(logLik(fit)))
ctl <- glmerControl(optimizer = "bobyqa", tolPwrss = 1e-12, optCtrl = list(rhoend = 1e-10, maxfun = 1e5))
t <- best(function() fit <<- glmer(clinical ~ wave + (1 | family_id/respondent_id), data = d, family = binomial, control = ctl))
report("glmer nested (tight bobyqa)", t, as.numeric(logLik(fit)))
t <- best(function() fit <<- glmmTMB(clinical ~ wave + (1 | family_id/respondent_id), data = d, family = binomial))
report("glmmTMB nested (default)", t, as.numeric(logLik(fit)))
d <- read.csv(paste0(base, "_incidents.csv"))
t <- best(function() fit <<- glmmTMB(incidents ~ wave + (1 | family_id), data = d, family = nbinom2))
report("glmmTMB NB2 (default)", t, as.numeric(logLik(fit)))
R
