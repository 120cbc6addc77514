#!/usr/bin/env python3
"""Plots the table of bench/scale.sh: seconds against families on log-log
axes, one line per command, with the line of linear cost through the
first point of each (a slope of 1). Plain SVG, no dependencies.

Usage: bash bench/scale.sh | tee table.md; python3 bench/scale_plot.py table.md bench/scale.svg
"""
import math
import re
import sys

rows = []
for line in open(sys.argv[1]):
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if not cells or not cells[0].isdigit():
        continue
    secs = [float(re.match(r"([0-9.]+) s", c).group(1)) for c in cells[2:5]]
    rows.append((int(cells[0]), secs))

series = [
    ("describe, no bootstrap", 0, "#0072B2"),
    ("describe, 2,000 replicates", 1, "#D55E00"),
    ("change, 2,000 replicates", 2, "#009E73"),
]
W, H, L, R, T, B = 640, 420, 70, 190, 30, 50
xs = [math.log10(n) for n, _ in rows]
ys = [math.log10(s[k]) for _, s in rows for k in range(3)]
x0, x1 = math.floor(min(xs)), math.ceil(max(xs))
y0, y1 = math.floor(min(ys)), math.ceil(max(ys))


def px(x):
    return L + (x - x0) / (x1 - x0) * (W - L - R)


def py(y):
    return H - B - (y - y0) / (y1 - y0) * (H - T - B)


out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">',
       f'<rect width="{W}" height="{H}" fill="white"/>']
for e in range(x0, x1 + 1):
    out.append(f'<line x1="{px(e)}" y1="{T}" x2="{px(e)}" y2="{H - B}" stroke="#ddd"/>')
    out.append(f'<text x="{px(e)}" y="{H - B + 16}" text-anchor="middle">{10 ** e:,}</text>')
for e in range(y0, y1 + 1):
    out.append(f'<line x1="{L}" y1="{py(e)}" x2="{W - R}" y2="{py(e)}" stroke="#ddd"/>')
    out.append(f'<text x="{L - 6}" y="{py(e) + 4}" text-anchor="end">{10.0 ** e:g} s</text>')
out.append(f'<text x="{(L + W - R) / 2}" y="{H - 10}" text-anchor="middle">families (log scale)</text>')
out.append(f'<text x="16" y="{(T + H - B) / 2}" text-anchor="middle" transform="rotate(-90 16 {(T + H - B) / 2})">wall time (log scale)</text>')
for i, (name, k, colour) in enumerate(series):
    pts = [(px(math.log10(n)), py(math.log10(s[k]))) for n, s in rows]
    n0, s0 = rows[0][0], rows[0][1][k]
    lin = [(px(math.log10(n)), py(math.log10(s0 * n / n0))) for n, _ in (rows[0], rows[-1])]
    out.append(f'<line x1="{lin[0][0]:.1f}" y1="{lin[0][1]:.1f}" x2="{lin[1][0]:.1f}" y2="{lin[1][1]:.1f}" stroke="{colour}" stroke-dasharray="4 4" opacity="0.6"/>')
    out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in pts)}"/>')
    for x, y in pts:
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>')
    ly = T + 20 + 22 * i
    out.append(f'<line x1="{W - R + 12}" y1="{ly}" x2="{W - R + 32}" y2="{ly}" stroke="{colour}" stroke-width="2"/>')
    out.append(f'<text x="{W - R + 38}" y="{ly + 4}">{name}</text>')
ly = T + 20 + 22 * len(series)
out.append(f'<line x1="{W - R + 12}" y1="{ly}" x2="{W - R + 32}" y2="{ly}" stroke="#555" stroke-dasharray="4 4"/>')
out.append(f'<text x="{W - R + 38}" y="{ly + 4}">linear cost</text>')
out.append("</svg>")
open(sys.argv[2], "w").write("\n".join(out) + "\n")
