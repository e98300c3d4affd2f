#!/usr/bin/env python3
"""Prints the bench table (median of the rounds) from the RESULT lines run.sh collected.

Usage: bench/table.py RESULTS.tsv ROUNDS"""
import sys, statistics, collections
rows = collections.OrderedDict()
loop = None
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    if len(f) != 7 or f[0] != "RESULT":
        continue
    _, server, rnd, scenario, metric, value, direction = f
    if server == "both":
        loop = float(value)
        continue
    rows.setdefault((scenario, metric, direction), collections.defaultdict(list))[server].append(float(value))
print(f"| scenario | metric | Letterbox | Dovecot | ratio L/D |")
print(f"|---|---|---:|---:|---:|")
for (scenario, metric, direction), by in rows.items():
    l = statistics.median(by["letterbox"]) if by["letterbox"] else float("nan")
    d = statistics.median(by["dovecot"]) if by["dovecot"] else float("nan")
    ratio = f"{l / d:.2f}" if d and d == d and l == l else "–"
    hint = " (lower is better)" if direction == "lower" else ""
    fmt = lambda v: f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.2f}" if abs(v) >= 1 else f"{v:.3f}"
    print(f"| {scenario} | {metric}{hint} | {fmt(l)} | {fmt(d)} | {ratio} |")
if loop:
    print(f"\nLoopback TCP through the client's socket code: {loop:,.0f} MB/s. Median of {sys.argv[2]} round(s).")
