# The R peer of the bootstrap benchmark: the same cluster (family)
# resampling and the same nine estimates per measure as `cohort change`,
# T0 to T2, in a plain loop, with percentile intervals.
# Usage: Rscript bench/bootstrap.R scores.csv REPLICATES
args <- commandArgs(trailingOnly = TRUE)
scores <- read.csv(args[1], colClasses = "character")
B <- as.integer(args[2])
scores <- scores[scores$value != "", ]
scores$value <- as.numeric(scores$value)
scores$unit <- ifelse(scores$level == "family", paste0("f:", scores$cluster), scores$respondent)
clusters <- unique(scores$cluster)
measures <- unique(scores$measure)
# Per measure: the pairs as two vectors, and the rows of each family, so
# that a replicate is an index vector (the fast way to do this in R).
pairs <- lapply(measures, function(m) {
  s <- scores[scores$measure == m, ]
  a <- s[s$wave == "T0", ]; b <- s[s$wave == "T2", ]
  both <- merge(a[, c("unit", "cluster", "value")], b[, c("unit", "value")], by = "unit")
  list(f = both$value.x, t = both$value.y,
       rows = split(seq_len(nrow(both)), factor(both$cluster, levels = clusters)))
})
estimates <- function(f, t) {
  d <- t - f
  nz <- d[d != 0]
  r <- rank(abs(nz))
  wp <- sum(r[nz > 0]); tot <- length(nz) * (length(nz) + 1) / 2
  c(mean(f), mean(t), mean(d), mean(d) / sd(d), mean(d) / ((sd(f) + sd(t)) / 2),
    if (length(nz)) (wp - (tot - wp)) / tot else NA,
    mean(f > 0), mean(t > 0), mean(t > 0) - mean(f > 0))
}
set.seed(20201112)
start <- proc.time()
reps <- array(NA_real_, c(B, length(measures), 9))
for (b in seq_len(B)) {
  draw <- sample.int(length(clusters), length(clusters), replace = TRUE)
  for (j in seq_along(measures)) {
    p <- pairs[[j]]
    idx <- unlist(p$rows[draw], use.names = FALSE)
    reps[b, j, ] <- estimates(p$f[idx], p$t[idx])
  }
}
ci <- apply(reps, c(2, 3), quantile, probs = c(0.025, 0.975), na.rm = TRUE, type = 7)
elapsed <- (proc.time() - start)[["elapsed"]]
cat(sprintf("R %s: %d replicates x %d measures in %.2f s\n", R.version$version.string, B, length(measures), elapsed))
