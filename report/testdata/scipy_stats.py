"""Reference values for report/stats.go, from SciPy and statsmodels.

Run outside the repository with Debian bookworm's python3-scipy (1.10.1),
python3-numpy and python3-statsmodels (0.13.5):

    /usr/bin/python3 report/testdata/scipy_stats.py > report/testdata/scipy_stats.json

Every input is written next to its values, so the Go test reads the data
from the JSON file and never regenerates it.

Wilcoxon: scipy.stats.wilcoxon(x, y) with its defaults (zero_method
"wilcox", correction False, two-sided, method "auto"). SciPy 1.10's "auto"
takes the exact distribution for n <= 50 and switches to the normal
approximation only for zeros; for non-zero ties it keeps the exact
distribution on a truncated rank sum, which newer SciPy no longer does. The
rule report implements is exact for n <= 50 without ties or zeros, normal
approximation (zeros dropped, tie-corrected variance) otherwise, so the
cases with ties and no zeros ask for method="approx" explicitly.
"""
import json
import sys
import warnings

import numpy as np
import scipy
import scipy.stats as st
import statsmodels
from statsmodels.stats.multitest import multipletests

warnings.simplefilter("ignore")
rng = np.random.default_rng(26)


def floats(a):
    return [float(v) for v in a]


def wcase(name, x, y, method="auto"):
    r = st.wilcoxon(x, y, method=method)
    return {"name": name, "x": floats(x), "y": floats(y), "scipy_method": method,
            "statistic": float(r.statistic), "p": float(r.pvalue)}


def scores(n, base, spread):
    return np.round(base + spread * rng.standard_normal(n), 12)


w = []
for n in (1, 2, 6, 13, 20, 50):
    x = scores(n, 0.7, 0.05)
    w.append(wcase(f"exact n={n}", x, x - 0.004 + 0.01 * rng.standard_normal(n)))
x = scores(8, 0.6, 0.05)
w.append(wcase("exact, all differences positive", x, x - rng.uniform(0.01, 0.02, 8)))
x = np.arange(1.0, 7.0)
w.append(wcase("exact, centre of the distribution", x, x + np.array([1, -2, -3, 4, 5, -6]) * 0.5))
for n in (51, 80):
    x = scores(n, 0.7, 0.05)
    w.append(wcase(f"approx n={n}", x, x - 0.002 + 0.01 * rng.standard_normal(n)))
x = scores(15, 0.5, 0.1)
y = x.copy()
y[:11] = x[:11] - np.round(0.01 * rng.standard_normal(11), 4)
w.append(wcase("zeros n=15", x, y))
x = np.round(scores(20, 0.5, 0.1), 2)
w.append(wcase("ties n=20", x, x + np.round(0.02 * rng.standard_normal(20), 2) + 0.005, method="approx"))
x = np.round(scores(30, 0.5, 0.1), 2)
w.append(wcase("ties and zeros n=30", x, x + np.round(0.01 * rng.standard_normal(30), 2)))
x = np.round(scores(70, 0.5, 0.1), 3)
w.append(wcase("ties and zeros n=70", x, x + np.round(0.003 * rng.standard_normal(70), 3)))

c = []
def ccase(name, x, y):
    s = st.spearmanr(x, y)
    k = st.kendalltau(x, y)
    c.append({"name": name, "x": floats(x), "y": floats(y),
              "spearman": float(s.correlation), "kendall_tau_b": float(k.correlation)})

x = rng.standard_normal(10)
ccase("n=10 no ties", x, x + rng.standard_normal(10))
x = np.round(rng.standard_normal(91), 1)
ccase("n=91 ties in both", x, np.round(-0.5 * x + rng.standard_normal(91), 1))
x = rng.integers(0, 4, 40).astype(float)
ccase("n=40 heavy ties", x, rng.integers(0, 3, 40).astype(float))
ccase("n=5 perfect", np.array([1.0, 2, 3, 4, 5]), np.array([2.0, 4, 6, 8, 10]))

r = []
for vals in ([0.5, 0.9, 0.7], [0.8, 0.8, 0.7, 0.6], [3.0, 1, 2, 2, 2, 5]):
    r.append({"x": vals, "rank_desc": floats(st.rankdata([-v for v in vals]))})

h = []
for ps in ([0.01, 0.04, 0.03, 0.005], [0.2, 0.01, 0.5], [0.04, 0.04, 0.04], [0.001, 0.9]):
    rej, adj, _, _ = multipletests(ps, alpha=0.05, method="holm")
    h.append({"p": ps, "holm": floats(adj)})

json.dump({"generator": "report/testdata/scipy_stats.py",
           "versions": {"python": sys.version.split()[0], "numpy": np.__version__,
                        "scipy": scipy.__version__, "statsmodels": statsmodels.__version__},
           "wilcoxon": w, "correlation": c, "rankdata": r, "holm": h},
          sys.stdout, indent=1)
sys.stdout.write("\n")
