"""Each attribution model on the demo workspace against the generator's truth.

Runs `utfall attribution --format json` on a demo workspace and prints, per model, the
Spearman rank correlation between the channels' credited revenue and their true incremental
revenue from truth.json, and whether the model's credits add up to the credited revenue.

    python3 bench/attribution_vs_truth.py UTFALL DEMO_DIR [LOOKBACK]
"""
import json
import subprocess
import sys

utfall, demo = sys.argv[1], sys.argv[2]
lookback = sys.argv[3] if len(sys.argv) > 3 else "90d"
truth = json.load(open(f"{demo}/truth.json"))
true_revenue = {c["channel"]: c["won_revenue"] for c in truth["incremental"]}
report = json.loads(subprocess.run([utfall, "attribution", "-C", demo, "--format", "json", "--lookback", lookback],
                                   check=True, capture_output=True).stdout)

def ranks(values):
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            result[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return result

def spearman(a, b):
    ra, rb = ranks(a), ranks(b)
    n = len(a)
    ma, mb = sum(ra) / n, sum(rb) / n
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    va = sum((x - ma) ** 2 for x in ra) ** 0.5
    vb = sum((y - mb) ** 2 for y in rb) ** 0.5
    return cov / (va * vb)

channels = sorted(true_revenue)
rows = {r["channel"]: r for r in report["rows"]}
models = list(report["rows"][0]["models"].keys())
print(f"won deals: {report['conversions']:.0f}, with touches in the {lookback} lookback: {report['journeys_with_touches']}, "
      f"revenue credited: {report['value_with_touches']:.0f} of {report['value']:.0f}")
print()
print("| model | Spearman ρ vs true incremental revenue | credited revenue | adds up |")
print("|---|---:|---:|---|")
for model in models:
    credited = [rows[c]["models"][model]["value"] if c in rows else 0.0 for c in channels]
    rho = spearman(credited, [true_revenue[c] for c in channels])
    total = sum(r["models"][model]["value"] for r in report["rows"])
    adds_up = "yes" if abs(total - report["value_with_touches"]) <= 1e-6 * max(1.0, report["value_with_touches"]) else "no (not summed)"
    print(f"| {model} | {rho:.2f} | {total:,.0f} | {adds_up} |")
