#!/usr/bin/env python3
"""Prints the bench table (median of the rounds) from the RESULT lines run.sh collected.

Usage: bench/table.py RESULTS.tsv ROUNDS

Each metric carries its direction from the load generator: "higher" (throughput: higher is
better), "lower" (latency, memory, errors: lower is better) or "info" (describes the run: sessions
opened, messages in the mailbox, server processes; no server is better). The ratio is always
Letterbox / Dovecot; the "better" column turns it into who is ahead and by how much, whichever the
direction, so a reader never has to remember that 0.5 is a win for a latency and a loss for a rate.
The mixed scenarios' "first-pass" rows (one session per user before the timed window) are taken
from round 1 only: that is the round whose logins are first logins."""
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
    if metric.startswith("first-pass") and rnd != "1":
        continue  # only round 1's first pass is a first login (later rounds find both caches warm)
    rows.setdefault((scenario, metric, direction), collections.defaultdict(list))[server].append(float(value))


def median(values):
    values = [v for v in values if v == v]  # a NaN is "no sample" (e.g. no latency recorded)
    return statistics.median(values) if values else None


def fmt(v):
    if v is None:
        return "–"
    if v == int(v):
        return f"{v:,.0f}"  # counts (errors, sessions, messages) and exact zeros
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.2f}" if abs(v) >= 1 else f"{v:.3f}"


def ratio_and_better(l, d, direction):
    """The L/D ratio cell and the "better" cell. Zeros and missing values get words, never nan."""
    if l is None or d is None:
        return "–", "– (no value)"
    if l == d:
        return ("=" if l == 0 else "1.00"), "="
    if direction == "info":
        return (f"{l / d:.2f}" if d else "–"), "(info)"
    if l < 0 or d < 0:
        # A difference of two noisy totals (KB per session when the server shrank meanwhile): no factor.
        return "–", "– (negative)"
    lower = direction == "lower"
    letterbox_ahead = (l < d) if lower else (l > d)
    winner = "Letterbox" if letterbox_ahead else "Dovecot"
    if d == 0 or l == 0:
        # One side is zero (errors, missed pushes): no finite factor, say who is ahead.
        return "–", f"{winner} (other is 0)"
    ratio = l / d
    factor = (1 / ratio if lower else ratio) if letterbox_ahead else (ratio if lower else 1 / ratio)
    return f"{ratio:.2f}", f"{winner} {factor:.2f}×"


print("Ratio = Letterbox / Dovecot. Arrows: ↑ higher is better, ↓ lower is better, "
      "(info) describes the run. \"better\" names the server ahead and by what factor "
      "(≥ 1, whichever the direction).")
print()
print("| scenario | metric | Letterbox | Dovecot | ratio L/D | better |")
print("|---|---|---:|---:|---:|---|")
arrows = {"higher": " ↑", "lower": " ↓", "info": ""}
for (scenario, metric, direction), by in rows.items():
    l = median(by["letterbox"])
    d = median(by["dovecot"])
    ratio, better = ratio_and_better(l, d, direction)
    print(f"| {scenario} | {metric}{arrows.get(direction, '')} | {fmt(l)} | {fmt(d)} | {ratio} | {better} |")
if loop:
    print(f"\nLoopback TCP through the client's socket code: {loop:,.0f} MB/s. Median of {sys.argv[2]} round(s).")
