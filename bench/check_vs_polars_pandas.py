#!/usr/bin/env python3
"""Loading benchmark: `cohort check` against polars.read_csv and
pandas.read_csv on the same long CSV, in the same run.

Usage: python3 bench/check_vs_polars_pandas.py [ROWS] [REPEATS]
Makes bench/.venv (polars, pandas from PyPI) and bench/data/ on first use,
builds cohort in release mode, generates the file with the bench_panel
example, then runs each contender REPEATS times as a child process and
reports wall time, MB/s and peak resident memory (from wait4's ru_maxrss).
The venv and the data are never part of the build (see .gitignore).
"""
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
VENV = os.path.join(BENCH, ".venv")
DATA = os.path.join(BENCH, "data")
ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 7_000_000
REPEATS = int(sys.argv[2]) if len(sys.argv) > 2 else 3


def sh(*cmd, **kw):
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, **kw)


def setup():
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        sh(sys.executable, "-m", "venv", VENV)
        sh(py, "-m", "pip", "install", "--quiet", "polars", "pandas")
    sh("cargo", "build", "--release", "-p", "cohort-cli", "--bin", "cohort", "--example", "bench_panel", cwd=ROOT)
    csv = os.path.join(DATA, "panel.csv")
    stamp = os.path.join(DATA, f"rows-{ROWS}")
    if not os.path.exists(stamp):
        sh(os.path.join(ROOT, "target", "release", "examples", "bench_panel"), DATA, str(ROWS))
        open(stamp, "w").close()
    return py, csv


def measure(cmd):
    """Wall seconds and peak RSS (bytes) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return wall, usage.ru_maxrss * 1024


def main():
    py, csv = setup()
    size = os.path.getsize(csv)
    subprocess.run(["cat", csv], stdout=subprocess.DEVNULL, check=True)  # warm the page cache
    cohort = os.path.join(ROOT, "target", "release", "cohort")
    contenders = {
        "cohort check": [cohort, "check", os.path.join(DATA, "study.toml")],
        "polars.read_csv": [py, "-c", f"import polars as pl; df = pl.read_csv({csv!r}); print(df.shape)"],
        "pandas.read_csv": [py, "-c", f"import pandas as pd; df = pd.read_csv({csv!r}); print(df.shape)"],
    }
    versions = subprocess.run(
        [py, "-c", "import polars, pandas; print(f'polars {polars.__version__}, pandas {pandas.__version__}')"],
        capture_output=True, text=True, check=True).stdout.strip()
    print(f"file: {size / 1e6:.0f} MB, {ROWS} rows requested; {versions}; {os.cpu_count()} cores")
    results = {}
    for name, cmd in contenders.items():
        runs = [measure(cmd) for _ in range(REPEATS)]
        best = min(r[0] for r in runs)
        peak = max(r[1] for r in runs)
        results[name] = (best, peak)
        print(f"{name:16} best {best:6.2f} s  {size / 1e6 / best:6.0f} MB/s  peak {peak / 1e6:6.0f} MB "
              f"({peak / size:.2f} x file)  runs: {', '.join(f'{r[0]:.2f}' for r in runs)}", flush=True)
    base = results["cohort check"][0]
    for name in ("polars.read_csv", "pandas.read_csv"):
        print(f"cohort check is {results[name][0] / base:.2f} x as fast as {name}")


if __name__ == "__main__":
    main()
