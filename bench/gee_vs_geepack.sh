#!/usr/bin/env bash
# A logistic GEE, exchangeable, CLUSTERS clusters x 4 waves (default
# 100,000), fitted by cohort-models and by geepack in the same run (fit
# only, data in memory). Installs R and geepack from Debian on first use.
#   bash bench/gee_vs_geepack.sh [CLUSTERS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
clusters=${1:-100000}
runs=${2:-3}
if ! Rscript -e 'library(geepack)' >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        r-base-core r-cran-geepack >/dev/null
fi
mkdir -p bench/data
data=bench/data/gee_$clusters.csv
if [ ! -f "$data" ]; then
    python3 - "$clusters" "$data" <<'PY'
import math, random, sys
clusters, path = int(sys.argv[1]), sys.argv[2]
rng = random.Random(20261202)
with open(path, "w") as f:
    f.write("id,wave,time,x,y\n")
    for c in range(clusters):
        b = rng.gauss(0, 1)
        x = rng.random() < 0.4
        for t in range(4):
            eta = -0.5 - 0.3 * t + 0.8 * x + b
            y = rng.random() < 1 / (1 + math.exp(-eta))
            f.write(f"{c},{t},{t},{int(x)},{int(y)}\n")
PY
fi
cargo build -q --release -p cohort-models --example gee_csv
for r in $(seq "$runs"); do
    echo "cohort: $(target/release/examples/gee_csv "$data" 'y ~ time + x')"
done
Rscript - "$data" "$runs" <<'R'
suppressMessages(library(geepack))
a <- commandArgs(trailingOnly = TRUE)
d <- read.csv(a[1])
for (r in seq_len(as.integer(a[2]))) {
  t <- system.time(fit <- geeglm(y ~ time + x, family = binomial, data = d, id = id,
    corstr = "exchangeable", control = geese.control(epsilon = 1e-10)))[["elapsed"]]
  cat(sprintf("geepack: seconds %.3f beta %s alpha %.10f\n", t,
    paste(format(coef(fit), digits = 12), collapse = " "), summary(fit)$corr[1, 1]))
}
R
