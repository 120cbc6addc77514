#!/usr/bin/env python3
"""Scoring benchmark: `cohort score` (load + score) next to `cohort check`
(load + summary) on the same 2-million-row file with 60 items declared as
one incident-frequency instrument (six groups of ten) and a family
measure. The scoring cost is the difference.

Usage: python3 bench/score_vs_load.py [ROWS] [REPEATS]
"""
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "bench", "data", "score")
ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000
REPEATS = int(sys.argv[2]) if len(sys.argv) > 2 else 3


def measure(cmd):
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return time.perf_counter() - start, usage.ru_maxrss * 1024


def main():
    subprocess.run(["cargo", "build", "--release", "-p", "cohort-cli", "--bin", "cohort", "--example", "bench_panel"],
                   cwd=ROOT, check=True)
    stamp = os.path.join(DATA, f"rows-{ROWS}")
    if not os.path.exists(stamp):
        subprocess.run([os.path.join(ROOT, "target", "release", "examples", "bench_panel"), DATA, str(ROWS),
                        "--instruments"], check=True)
        open(stamp, "w").close()
    csv = os.path.join(DATA, "panel.csv")
    study = os.path.join(DATA, "study.toml")
    subprocess.run(["cat", csv], stdout=subprocess.DEVNULL, check=True)
    cohort = os.path.join(ROOT, "target", "release", "cohort")
    print(f"file: {os.path.getsize(csv) / 1e6:.0f} MB, {ROWS} rows, 60 items, 19 measures + 1 family measure")
    results = {}
    # Alternate the two commands so that load on the machine hits both alike.
    runs = {"check": [], "score": []}
    for _ in range(REPEATS):
        for name in runs:
            runs[name].append(measure([cohort, name, study]))
    for name, rs in runs.items():
        best = min(r[0] for r in rs)
        peak = max(r[1] for r in rs)
        results[name] = best
        print(f"cohort {name:5}  best {best:5.2f} s  peak {peak / 1e6:5.0f} MB  runs: "
              + ", ".join(f"{r[0]:.2f}" for r in rs))
    print(f"scoring adds {results['score'] - results['check']:+.2f} s to loading")


if __name__ == "__main__":
    main()
