"""Independent references of the design tests: singleton removal and statsmodels GLM Poisson."""

from __future__ import annotations


def drop_singletons(frame, groups):
    """``frame`` without rows alone in a group of any of ``groups`` (repeatedly), as pyfixest drops them."""
    while True:
        keep = frame[groups[0]].notna()
        for group in groups:
            keep &= frame.groupby(group)[group].transform("size") > 1
        if keep.all():
            return frame.reset_index(drop=True)
        frame = frame[keep]


def clustered_glm(y, design, clusters, method="newton"):
    """statsmodels GLM Poisson with origin-clustered covariance × G/(G-1): the independent reference."""
    import numpy as np
    import pandas as pd
    import statsmodels.api as sm

    groups = pd.factorize(clusters)[0]
    count = len(np.unique(groups))
    result = sm.GLM(y, design, family=sm.families.Poisson()).fit(
        method=method, tol=1e-13, maxiter=200, cov_type="cluster", cov_kwds={"groups": groups, "use_correction": False})
    return result.params, result.cov_params() * count / (count - 1)


def independent_dummies(frame, keys):
    """One dummy per level of each of ``keys``, keeping only linearly independent columns (QR with pivoting)."""
    import numpy as np
    import pandas as pd
    from scipy import linalg

    dummies = pd.concat([pd.get_dummies(frame[k], prefix=k, dtype=float) for k in keys], axis=1)
    _, r, pivots = linalg.qr(dummies.to_numpy(), mode="economic", pivoting=True)
    rank = int((np.abs(np.diag(r)) > 1e-9 * abs(r[0, 0])).sum())
    return dummies.iloc[:, np.sort(pivots[:rank])]
