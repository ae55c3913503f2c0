"""Fits PyMC-Marketing's MMM (its example configuration) to a CSV and prints JSON summaries.

Usage: python mmm_pymc.py DATA.csv [SEED] [DRAWS]
Geometric adstock (l_max 8), logistic saturation, controls event_1, event_2, t, yearly
seasonality of order 2, 4 chains x (1000 tune + DRAWS draws, default 1000) with nutpie.
"""

import contextlib
import json
import sys
import time
import warnings

warnings.filterwarnings("ignore")

started = time.perf_counter()
# Progress output goes to stderr: stdout carries only the JSON.
_quiet = contextlib.redirect_stdout(sys.stderr)
_quiet.__enter__()
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from pymc_marketing.mmm import MMM, GeometricAdstock, LogisticSaturation  # noqa: E402

imported = time.perf_counter()
path = sys.argv[1]
seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
draws = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
data = pd.read_csv(path, parse_dates=["date_week"])
X = data.drop("y", axis=1)
y = data["y"]
mmm = MMM(
    adstock=GeometricAdstock(l_max=8),
    saturation=LogisticSaturation(),
    date_column="date_week",
    channel_columns=["x1", "x2"],
    control_columns=["event_1", "event_2", "t"],
    yearly_seasonality=2,
)
mmm.fit(X, y, chains=4, draws=draws, tune=1000, nuts_sampler="nutpie", random_seed=seed, progressbar=False)
fitted = time.perf_counter()
post = mmm.fit_result
contrib = mmm.compute_channel_contribution_original_scale()  # chain, draw, date, channel
totals = contrib.sum("date")
out = {"channels": {}}
for ch in ["x1", "x2"]:
    t = totals.sel(channel=ch).values.flatten()
    spend = float(data[ch].sum())
    alpha = post["adstock_alpha"].sel(channel=ch).values.flatten()
    lam = post["saturation_lam"].sel(channel=ch).values.flatten()
    beta = post["saturation_beta"].sel(channel=ch).values.flatten() * float(y.abs().max())
    out["channels"][ch] = {
        "contribution_total": {"mean": float(t.mean()), "hdi_3%": float(np.quantile(t, 0.03)), "hdi_97%": float(np.quantile(t, 0.97))},
        "roas": {"mean": float(t.mean() / spend)},
        "alpha": float(alpha.mean()),
        "lam": float(lam.mean() / data[ch].abs().max()),
        "beta": float(beta.mean()),
    }
divergences = int(mmm.idata.sample_stats["diverging"].sum())
done = time.perf_counter()
out["diagnostics"] = {"divergences": divergences}
out["seconds"] = {"import": imported - started, "fit": fitted - imported, "summaries": done - fitted, "total": done - started}
_quiet.__exit__(None, None, None)
print(json.dumps(out, indent=1))
