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
from refugeestudy.case_study.reconcile import reconcile
from refugeestudy.sources.acled import read_acled
from refugeestudy.sources.reports import ReportLog, load_reports
from refugeestudy.sources.ucdp import read_ged
from refugeestudy.sources.unhcr import read_unhcr
from refugeestudy.sources.ucdp_country_year import read_ucdp_country_year
from refugeestudy.sources.eurostat import read_eurostat_asylum

__all__ = ["InputError", "ReportLog", "load_reports", "read_ged", "read_acled", "read_unhcr",
           "reconcile", "read_ucdp_country_year", "read_eurostat_asylum", "__version__"]
