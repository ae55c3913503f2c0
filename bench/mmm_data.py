"""PyMC-Marketing's "MMM example" data recipe (docs: notebooks/mmm/mmm_example), with NumPy.

Usage: python mmm_data.py OUT.csv TRUTH.json [SEED]
Writes the data (date_week, y, x1, x2, event_1, event_2, t) and the true contributions.
"""

import json
import sys

import numpy as np
import pandas as pd


def geometric_adstock(x, alpha, l_max):
    w = alpha ** np.arange(l_max)
    w = w / w.sum()
    out = np.zeros_like(x)
    for t in range(len(x)):
        for lag in range(min(l_max, t + 1)):
            out[t] += w[lag] * x[t - lag]
    return out


def logistic(x, lam):
    return (1 - np.exp(-lam * x)) / (1 + np.exp(-lam * x))


def main():
    out, truth_path = sys.argv[1], sys.argv[2]
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else sum(map(ord, "mmm"))
    rng = np.random.default_rng(seed=seed)
    df = pd.DataFrame({"date_week": pd.date_range("2018-04-01", "2021-09-01", freq="W-MON")})
    df["dayofyear"] = df["date_week"].dt.dayofyear
    n = len(df)
    x1 = rng.uniform(0.0, 1.0, size=n)
    df["x1"] = np.where(x1 > 0.9, x1, x1 / 2)
    x2 = rng.uniform(0.0, 1.0, size=n)
    df["x2"] = np.where(x2 > 0.8, x2, 0)
    s1 = logistic(geometric_adstock(df["x1"].to_numpy(), 0.4, 8), 4.0)
    s2 = logistic(geometric_adstock(df["x2"].to_numpy(), 0.2, 8), 3.0)
    trend = (np.linspace(0.0, 50, n) + 10) ** (1 / 4) - 1
    season = 0.5 * (
        -np.sin(2 * 2 * np.pi * df["dayofyear"] / 365.5) + np.cos(2 * np.pi * df["dayofyear"] / 365.5)
    )
    df["event_1"] = (df["date_week"] == "2019-05-13").astype(float)
    df["event_2"] = (df["date_week"] == "2020-09-14").astype(float)
    eps = rng.normal(0.0, 0.25, size=n)
    amplitude = 1
    df["y"] = amplitude * (
        2.0 + trend + season + 1.5 * df["event_1"] + 2.5 * df["event_2"] + 3.0 * s1 + 2.0 * s2 + eps
    )
    df["t"] = np.arange(n)
    df[["date_week", "y", "x1", "x2", "event_1", "event_2", "t"]].to_csv(out, index=False, date_format="%Y-%m-%d")
    truth = {
        "x1": {"alpha": 0.4, "lam": 4.0, "beta": 3.0, "contribution_total": float(3.0 * s1.sum()),
               "roas": float(3.0 * s1.sum() / df["x1"].sum())},
        "x2": {"alpha": 0.2, "lam": 3.0, "beta": 2.0, "contribution_total": float(2.0 * s2.sum()),
               "roas": float(2.0 * s2.sum() / df["x2"].sum())},
    }
    with open(truth_path, "w") as f:
        json.dump(truth, f, indent=1)


if __name__ == "__main__":
    main()
