"""Which asylum applications count: the outcome of the dyad-year panel, as named rules.

UNHCR's ``asylum_applications`` mixes units and stages: ``app_pc`` says whether
a row counts persons (``P``) or cases (``C``, one case can hold a family);
``app_type`` and ``dec_level`` say at which stage of the procedure the claim
was lodged, so one claimant can appear as a new application, then as an appeal
(UNHCR's R package ``refugees`` documents ``app_type`` N new, R repeat,
A appeal, and ``dec_level`` NA new applications, RA repeat/reopened, AR
administrative review: https://search.r-project.org/CRAN/refmans/refugees/html/asylum_applications.html,
which refers to UNHCR's methodology pages https://www.unhcr.org/refugee-statistics/methodology/).
Adding every row therefore counts some people twice. Each rule below says
which codes it keeps and why; :data:`RULES` lists them by name.

``first_instance_persons`` (the panel's main outcome)
    Persons only (``app_pc`` P); the decision levels of a first claim:
    ``FI`` first instance, ``TA`` temporary asylum (the Russian Federation's
    procedure separate from refugee status, where most Syrians apply:
    Syria → Russia 2025 = 124 FI + 3,196 TA = 3,320), ``NA`` new applications
    (Germany's level for first claims), ``IN`` and ``EO`` (used only by the
    United States, for its two authorities receiving new claims) and ``FA``
    (first instance and appeal reported together, kept because several
    countries report nothing else; its appeals are a known overcount);
    application types that are appeals, repeats or judicial stages (``A``,
    ``R``, ``RA``, ``J``) are left out. The meanings of IN, EO, FA are read
    off which countries use them in the file, not from a UNHCR code list:
    a limitation the report states.
``all_applications``
    Every row, persons and cases, every stage: UNHCR's headline sum, an upper
    envelope that double counts claimants who reach several stages.
``eurostat_first_time``
    Eurostat's first-time applicants (``migr_asyappctza``), persons, EU+
    destinations only, summed over sex (female, male, unknown are disjoint);
    the ``EU27`` aggregate row is dropped (it holds its member states).
    First-time applicants exclude repeat applicants by definition, so this is
    the outcome without stage double counting, for European destinations.

:func:`outcome_counts` applies a rule and sums the kept rows by origin,
destination and year. A dyad-year without a kept row is absent from its
result: UNHCR publishes no zeros in this dataset (its smallest published
figure is 5), so absence is "not reported", never zero.

Examples
--------
>>> rows = pd.DataFrame({"year": [2025, 2025, 2025], "origin_iso3": ["SYR"] * 3,
...     "destination_iso3": ["RUS"] * 3, "procedure_type": ["G"] * 3, "app_type": ["N", "N", "A"],
...     "dec_level": ["FI", "TA", "AR"], "app_pc": ["P"] * 3, "applied": [124, 3196, 40]})
>>> outcome_counts(rows, "first_instance_persons")["outcome"].tolist()
[3320]
>>> outcome_counts(rows, "all_applications")["outcome"].tolist()
[3360]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from refugeestudy.errors import RefugeestudyError

__all__ = ["OutcomeRule", "RULES", "UnknownOutcome", "outcome_counts"]


class UnknownOutcome(RefugeestudyError, KeyError):
    """An outcome name that is not in :data:`RULES`."""

    def __str__(self) -> str:
        return self.args[0] if self.args else ""


@dataclass(frozen=True)
class OutcomeRule:
    """A named selection of rows and the column that is summed.

    Attributes
    ----------
    name : str
        The rule's name (a key of :data:`RULES`).
    label : str
        What a reader sees in tables and axes.
    source : str
        ``"unhcr"`` (rows of :func:`refugeestudy.sources.unhcr.read_unhcr_table`,
        ``asylum_applications``) or ``"eurostat"`` (rows of
        :func:`refugeestudy.sources.eurostat.read_eurostat_asylum`).
    value : str
        The column summed.
    keep : dict
        Column → values a row must have (all must hold).
    drop : dict
        Column → values a row must not have.
    """

    name: str
    label: str
    source: str
    value: str
    keep: dict[str, tuple] = field(default_factory=dict)
    drop: dict[str, tuple] = field(default_factory=dict)

    def mask(self, rows: pd.DataFrame) -> pd.Series:
        """Rows the rule keeps (``True``)."""
        keep = pd.Series(True, index=rows.index)
        for column, values in self.keep.items():
            keep &= rows[column].isin(values).fillna(False).astype(bool)
        for column, values in self.drop.items():
            keep &= ~rows[column].isin(values).fillna(False).astype(bool)
        return keep


#: The outcome rules, by name (the module docstring says why each keeps what it keeps).
RULES: dict[str, OutcomeRule] = {rule.name: rule for rule in (
    OutcomeRule("first_instance_persons", "first-instance asylum applications (persons)", "unhcr",
                "applied", keep={"app_pc": ("P",), "dec_level": ("FI", "TA", "NA", "IN", "EO", "FA")},
                drop={"app_type": ("A", "R", "RA", "J")}),
    OutcomeRule("all_applications", "all asylum applications (persons and cases, every stage)",
                "unhcr", "applied"),
    OutcomeRule("eurostat_first_time", "first-time asylum applicants in EU+ countries (Eurostat)",
                "eurostat", "applicants", drop={"is_aggregate": (True,)}),
)}


def outcome_counts(rows: pd.DataFrame, rule: str | OutcomeRule) -> pd.DataFrame:
    """Apply ``rule`` to ``rows`` and sum by origin, destination and year.

    Parameters
    ----------
    rows : pandas.DataFrame
        UNHCR applications as read by :func:`~refugeestudy.sources.unhcr.read_unhcr_table`,
        or Eurostat rows as read by :func:`~refugeestudy.sources.eurostat.read_eurostat_asylum`,
        as the rule's ``source`` says.
    rule : str or OutcomeRule
        A name in :data:`RULES` or a rule.

    Returns
    -------
    pandas.DataFrame
        ``origin_iso3, destination_iso3, year, outcome (int64), rows`` (how many
        source rows were added), sorted; dyad-years without a kept row are absent.
        A kept row with an empty count makes its dyad-year's outcome missing
        (never a partial sum).

    Raises
    ------
    UnknownOutcome
        For a name not in :data:`RULES`.
    """
    if isinstance(rule, str):
        if rule not in RULES:
            raise UnknownOutcome(f"unknown outcome {rule!r}; expected one of {', '.join(RULES)}",
                                 hint="see refugeestudy.panels.outcomes.RULES")
        rule = RULES[rule]
    keys = ["origin_iso3", "destination_iso3", "year"]
    kept = rows.loc[rule.mask(rows), keys + [rule.value]]
    values = kept[rule.value].astype("Int64")
    grouped = pd.DataFrame({"value": values, "empty": values.isna()}).groupby(
        [kept[k] for k in keys], sort=True)
    out = grouped.agg(outcome=("value", "sum"), empty=("empty", "sum"), rows=("value", "size"))
    out["outcome"] = out["outcome"].astype("Int64").mask(out["empty"] > 0)
    return out.drop(columns="empty").reset_index().astype({"year": "int64", "rows": "int64"})
