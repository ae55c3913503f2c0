"""Runs channelattribution on a path file and writes its CSV result (bench/attribution.sh)."""
import sys

import ChannelAttribution as ca
import pandas as pd

path, model = sys.argv[1], sys.argv[2]
data = pd.read_csv(path)
if model == "heuristic":
    result = ca.heuristic_models(data, "path", "total_conversions", var_value="total_conversion_value")
else:
    order = int(sys.argv[3])
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    result = ca.markov_model(data, "path", "total_conversions", var_value="total_conversion_value",
                             var_null="total_null", order=order, seed=seed, verbose=0)
result.to_csv(sys.stdout, index=False)
