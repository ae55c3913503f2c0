"""Generates journeys for the attribution benchmark: one CSV row per journey.

Columns: path (channels joined by ' > '), total_conversions (0/1), total_conversion_value,
total_null (1 - conversion). Deterministic for a given seed. Standard library only.
"""
import random
import sys

def main():
    n_journeys = int(sys.argv[1])
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    rng = random.Random(seed)
    channels = ["paid_search", "organic_search", "paid_social", "email", "direct",
                "referral", "display", "events", "webinar", "print"]
    popularity = [30, 25, 15, 10, 20, 6, 8, 3, 4, 2]
    lift = [0.05, 0.04, 0.02, 0.06, 0.01, 0.03, 0.005, 0.12, 0.08, 0.01]
    out = sys.stdout
    out.write("path,total_conversions,total_conversion_value,total_null\n")
    for _ in range(n_journeys):
        length = 1
        while length < 20 and rng.random() < 0.78:
            length += 1
        path = rng.choices(range(len(channels)), weights=popularity, k=length)
        p = 0.02 + sum(lift[c] for c in set(path))
        converted = rng.random() < min(p, 0.9)
        value = round(rng.lognormvariate(7.0, 0.8), 2) if converted else 0.0
        out.write("%s,%d,%s,%d\n" % (" > ".join(channels[c] for c in path), int(converted), value, 1 - int(converted)))

main()
