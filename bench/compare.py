"""Compares two attribution CSVs (channel_name first). Prints the largest relative difference
and the L1 distance of the first numeric column as a share of its total."""
import csv
import sys

def load(path):
    with open(path) as f:
        rows = [r for r in csv.reader(f) if r and not r[0].startswith("***") and not r[0].startswith("Version")]
    header, body = rows[0], rows[1:]
    return header, {r[0]: [float(x) for x in r[1:]] for r in body}

ha, a = load(sys.argv[1])
hb, b = load(sys.argv[2])
assert set(a) == set(b), (sorted(a), sorted(b))
max_rel = 0.0
for k in a:
    for x, y in zip(a[k], b[k]):
        max_rel = max(max_rel, abs(x - y) / max(abs(y), 1e-12))
total = sum(v[0] for v in b.values())
l1 = sum(abs(a[k][0] - b[k][0]) for k in a) / total
l1_value = sum(abs(a[k][1] - b[k][1]) for k in a) / sum(v[1] for v in b.values())
if len(sys.argv) > 3 and sys.argv[3] == "--values":
    print("%.6e %.6f %.6f" % (max_rel, 100 * l1, 100 * l1_value))
else:
    print("max_relative_difference=%.3e l1_conversions=%.4f%% l1_value=%.4f%%" % (max_rel, 100 * l1, 100 * l1_value))
