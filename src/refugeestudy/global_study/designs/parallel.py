"""Independent refits in parallel, through joblib only: loky here, Dask distributed when asked.

:func:`refit_in_parallel` maps a picklable function over tasks (one refit each)
and returns the results in task order, so the numbers do not depend on the
backend or the number of workers (to 1e-12 relative: a vectorised dot product
rounds its last bit by the memory alignment of its arrays, which no backend
fixes; published values are rounded far above that):

* by default joblib's ``loky`` backend with at most cores ÷ reports running at
  once workers (:func:`worker_count`; the runner may say how many reports run at
  once in ``REFUGEESTUDY_REPORTS_RUNNING``), each with one BLAS/OpenMP thread, even
  with ``n_jobs=1`` (a multi-threaded matrix product sums in another order and
  changes the last digits, so the sweep never runs in the kernel's own process);
  the workers are shut down when the sweep ends, so none outlives its kernel;
* when the environment variable ``REFUGEESTUDY_DASK_SCHEDULER`` holds a
  scheduler address (e.g. ``tcp://10.0.0.5:8786``), joblib's ``dask`` backend with
  a :class:`distributed.Client` to that scheduler, closed when the sweep ends (the
  cluster's workers belong to whoever started it; ``distributed``'s workers start
  with one BLAS/OpenMP thread by default, which the identical results need).
  Never a notebook parameter.

Examples
--------
>>> refit_in_parallel(abs, [-1, 2, -3], n_jobs=1)
[1, 2, 3]
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

import joblib

__all__ = ["SCHEDULER_VARIABLE", "REPORTS_VARIABLE", "worker_count", "refit_in_parallel"]

SCHEDULER_VARIABLE = "REFUGEESTUDY_DASK_SCHEDULER"
REPORTS_VARIABLE = "REFUGEESTUDY_REPORTS_RUNNING"


def worker_count(reports_running: int | None = None, cores: int | None = None) -> int:
    """Workers one report may use: cores ÷ reports running at once, at least 1.

    Examples
    --------
    >>> worker_count(reports_running=3, cores=8), worker_count(reports_running=4, cores=2)
    (2, 1)
    """
    if reports_running is None:
        reports_running = int(os.environ.get(REPORTS_VARIABLE, "1") or 1)
    cores = cores or os.cpu_count() or 1
    return max(1, cores // max(1, reports_running))


def refit_in_parallel(function: Callable, tasks: Iterable, *, n_jobs: int | None = None) -> list:
    """``[function(task) for task in tasks]``, computed by joblib workers, in task order.

    Parameters
    ----------
    function : callable
        A module-level (picklable) function of one task.
    tasks : iterable
        Picklable arguments (e.g. origins to leave out).
    n_jobs : int, optional
        Workers for the loky backend (default :func:`worker_count`); ignored with Dask,
        which uses the cluster's workers.
    """
    tasks = list(tasks)
    calls = (joblib.delayed(function)(task) for task in tasks)
    address = os.environ.get(SCHEDULER_VARIABLE, "").strip()
    if address:
        from distributed import Client

        with Client(address), joblib.parallel_config(backend="dask"):
            return list(joblib.Parallel()(calls))
    n_jobs = n_jobs or worker_count()
    with joblib.parallel_config(backend="loky", n_jobs=n_jobs, inner_max_num_threads=1):
        results = list(joblib.Parallel()(calls))
    from joblib.externals.loky import get_reusable_executor

    get_reusable_executor().shutdown(wait=True)
    return results
