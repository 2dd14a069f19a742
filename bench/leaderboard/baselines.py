"""The leaderboards a user would build without Assay, as whole processes (run in the venv that
``setup.sh`` builds; this file imports nothing from Assay).

``python baselines.py METHOD BATTLES.csv ROUNDS BUDGET_S OUT.csv`` reads the battles with
pandas, fits, bootstraps ROUNDS times (or as many rounds as BUDGET_S seconds allow, then
stops and says so), writes ``model,rating,ci_low,ci_high`` and prints one JSON line:
``{"rounds_done", "bootstrap_s", "finished"}``. Neither method has a tie model; every round's
ratings are centred on 1000, like Assay's, so that intervals are compared on one scale.

METHOD
  ``fastchat`` — FastChat's classic notebook method: logistic regression
  (scikit-learn, no intercept, no penalty) on the battles duplicated, a tie a win for side a
  in the first copy and for side b in the second; the bootstrap resamples the DataFrame's
  rows (``df.sample(frac=1, replace=True)``) and refits.
  ``choix`` — choix's I-LSR fit (``ilsr_pairwise_dense`` on the count matrix, its fastest
  entry point) on the decisive battles (ties dropped: choix has no ties, and under Davidson's
  model a decisive battle is plain Bradley-Terry); the bootstrap resamples every battle row
  with numpy, ties included, and recounts.
"""

from __future__ import annotations

import json
import math
import sys
import time

import numpy as np
import pandas as pd


def fastchat_ratings(frame: pd.DataFrame, models: pd.Index) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    index = pd.Series(np.arange(len(models)), index=models)
    doubled = pd.concat([frame, frame], ignore_index=True)
    n = len(doubled)
    x = np.zeros((n, len(models)))
    x[np.arange(n), index[doubled["model_a"]].to_numpy()] = math.log(10)
    x[np.arange(n), index[doubled["model_b"]].to_numpy()] = -math.log(10)
    y = (doubled["winner"] == "a").to_numpy().astype(float)
    tie = doubled["winner"].isin(["tie", "both_bad"]).to_numpy().copy()
    tie[n // 2:] = False  # a tie: side a wins the first copy, side b the second
    y[tie] = 1.0
    model = LogisticRegression(fit_intercept=False, C=np.inf, tol=1e-6)
    model.fit(x, y)
    ratings = 400 * model.coef_[0]
    return np.asarray(1000 + ratings - ratings.mean())


def choix_ratings(a: np.ndarray, b: np.ndarray, winner: np.ndarray, n: int) -> np.ndarray:
    import choix

    # comp_mat[i, j]: times i beat j; ties are left out.
    decisive = winner <= 1
    first = np.where(winner == 1, b, a)[decisive]
    second = np.where(winner == 1, a, b)[decisive]
    counts = np.bincount(first * n + second, minlength=n * n).astype(float)
    params = choix.ilsr_pairwise_dense(counts.reshape(n, n), tol=1e-8)
    ratings = 400 / math.log(10) * params
    return np.asarray(1000 + ratings - ratings.mean())


def main() -> None:
    method, path, rounds, budget, out = sys.argv[1:6]
    frame = pd.read_csv(path, usecols=["model_a", "model_b", "winner"], dtype=str,
                        engine="pyarrow")
    models = pd.Index(sorted(set(frame["model_a"]) | set(frame["model_b"])))
    if method == "fastchat":
        def fit(sample: pd.DataFrame) -> np.ndarray:
            return fastchat_ratings(sample, models)

        point = fit(frame)
        rng_state = 0

        def draw() -> np.ndarray:
            nonlocal rng_state
            rng_state += 1
            return fit(frame.sample(frac=1.0, replace=True, random_state=rng_state))
    elif method == "choix":
        a = models.get_indexer(frame["model_a"])
        b = models.get_indexer(frame["model_b"])
        verdict = frame["winner"].map({"a": 0, "b": 1, "tie": 2, "both_bad": 3}).to_numpy()
        point = choix_ratings(a, b, verdict, len(models))
        rng = np.random.default_rng(0)

        def draw() -> np.ndarray:
            rows = rng.integers(0, len(a), size=len(a))
            return choix_ratings(a[rows], b[rows], verdict[rows], len(models))
    else:
        raise SystemExit(f"unknown method {method!r}")
    start = time.perf_counter()
    samples = []
    while len(samples) < int(rounds) and time.perf_counter() - start < float(budget):
        samples.append(draw())
    spent = time.perf_counter() - start
    low, high = np.quantile(np.array(samples), [0.025, 0.975], axis=0)
    with open(out, "w") as handle:
        handle.write("model,rating,ci_low,ci_high\n")
        for m in np.argsort(-point):
            handle.write(f"{models[m]},{point[m]:.2f},{low[m]:.2f},{high[m]:.2f}\n")
    print(json.dumps({"rounds_done": len(samples), "bootstrap_s": spent,
                      "finished": len(samples) == int(rounds)}))


if __name__ == "__main__":
    main()
