"""Parallel refits give the same numbers on one loky worker, on two, and on a Dask LocalCluster.

"The same" is 1e-12 relative, not bit for bit: a vectorised dot product's result depends on the
memory alignment of its arrays in the last bit, so two runs of one fit in two processes can differ
there (seen: 1 refit in 11); the published values are rounded far above that (report.normalise_float).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from refugeestudy.global_study.designs.parallel import SCHEDULER_VARIABLE, refit_in_parallel, worker_count
from refugeestudy.global_study.designs.robustness import leave_one_origin_out

from .test_robustness import synthetic_frame


def test_worker_count_divides_cores_by_reports(monkeypatch):
    monkeypatch.setenv("REFUGEESTUDY_REPORTS_RUNNING", "2")
    assert worker_count(cores=8) == 4 and worker_count(cores=2) == 1 and worker_count(3, cores=2) == 1


def test_one_worker_two_workers_and_a_dask_local_cluster_give_identical_results(monkeypatch):
    from distributed import LocalCluster

    frame = synthetic_frame()  # SYNTHETIC, with seeded Poisson noise so that the standard errors are not 0
    frame["applications"] = np.random.default_rng(7).poisson(frame["applications"]).astype(float)
    monkeypatch.delenv(SCHEDULER_VARIABLE, raising=False)
    serial = leave_one_origin_out(frame, n_jobs=1)
    loky = leave_one_origin_out(frame, n_jobs=2)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        monkeypatch.setenv(SCHEDULER_VARIABLE, cluster.scheduler_address)
        dask = leave_one_origin_out(frame)
        assert refit_in_parallel(abs, [-2, 3]) == [2, 3]
    assert len(serial) == 11
    pd.testing.assert_frame_equal(serial, loky, check_exact=False, rtol=1e-12, atol=0)
    pd.testing.assert_frame_equal(serial, dask, check_exact=False, rtol=1e-12, atol=0)
    assert serial["origin_iso3"].tolist() == dask["origin_iso3"].tolist()  # task order kept
