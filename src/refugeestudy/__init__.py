"""refugeestudy: violence in Syria and the arrival of displaced Syrians.

Readers turn each source into a canonical table (see :mod:`refugeestudy.schema`):

* :func:`load_reports` — the curated log of figures from public reports;
* :func:`read_ged` — UCDP Georeferenced Event Dataset files;
* :func:`read_acled` — ACLED export files;
* :func:`read_unhcr` — UNHCR Refugee Data Finder / population API files;
* :func:`read_ucdp_country_year` — UCDP's country-year deaths from organised violence;
* :func:`read_eurostat_asylum` — Eurostat's first-time asylum applicants.

:func:`reconcile` combines the log's reporters as cumulative curves, one per scope.

Examples
--------
>>> import refugeestudy
>>> log = refugeestudy.load_reports()
>>> set(log.displacement["source"])
{'reports'}
"""

__version__ = "0.1.0"

from refugeestudy.errors import InputError

#: The public API, by the module that defines each name. A name is imported on first use
#: (:func:`__getattr__`): ``import refugeestudy`` alone (the command line, the report runner and
#: its workers) then costs no pandas import.
_PUBLIC = {
    "ReportLog": "refugeestudy.sources.reports",
    "load_reports": "refugeestudy.sources.reports",
    "reconcile": "refugeestudy.case_study.reconcile",
    "read_acled": "refugeestudy.sources.acled",
    "read_ged": "refugeestudy.sources.ucdp",
    "read_unhcr": "refugeestudy.sources.unhcr",
    "read_ucdp_country_year": "refugeestudy.sources.ucdp_country_year",
    "read_eurostat_asylum": "refugeestudy.sources.eurostat",
}

__all__ = ["InputError", "ReportLog", "load_reports", "read_ged", "read_acled", "read_unhcr",
           "reconcile", "read_ucdp_country_year", "read_eurostat_asylum", "__version__"]


def __getattr__(name: str):
    """Import a public name from its module on first use (PEP 562).

    Examples
    --------
    >>> import refugeestudy
    >>> from refugeestudy.sources.reports import load_reports
    >>> refugeestudy.load_reports is load_reports
    True
    """
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_PUBLIC[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The package's names, the public API not yet imported included."""
    return sorted({*globals(), *_PUBLIC})
