"""Case figures: gaps drawn as gaps, one colour per series, labels and a source caption."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from refugeestudy import load_reports  # noqa: E402
from refugeestudy.case_study import analysis  # noqa: E402
from refugeestudy.case_study.charts import CAPTION_GID, curves_figure, increments_figure  # noqa: E402


@pytest.fixture(scope="module")
def lebanon():
    return analysis.reported_series(load_reports().figures, kind="displacement",
                                    scope=analysis.destination_scope("LB-AK+LB-AS", "arrivals", load_reports().figures),
                                    freq="W-MON", start="2025-03-01", end="2025-04-30")


def test_weeks_without_a_report_are_shaded_gaps_not_bars(lebanon):
    fig = increments_figure([lebanon], ylabel="people per week", title="t",
                            caption="Source: log. Licence: CC BY 4.0.")
    ax = fig.axes[0]
    bars = ax.containers[0]
    reported = lebanon.periods[lebanon.periods["reported"]]
    assert len(bars) == len(reported)
    assert [b.get_height() for b in bars] == reported["increment"].tolist()
    gaps = [p for p in ax.patches if p not in list(bars)]
    assert len(gaps) == lebanon.unreported_periods  # one shaded span per week without a report
    plt.close(fig)


def test_curves_have_labels_caption_and_distinct_colours(lebanon):
    fig = curves_figure([lebanon], ylabel="people (cumulative)", title="t",
                        caption="Source: log. Licence: CC BY 4.0.")
    ax = fig.axes[0]
    assert ax.get_xlabel() and ax.get_ylabel() == "people (cumulative)"
    colours = [line.get_color() for line in ax.lines if not line.get_label().startswith("_")]
    assert len(colours) == len(set(colours)) == len(lebanon.reporters) + 1
    assert [t.get_text() for t in fig.texts if t.get_gid() == CAPTION_GID] == [
        "Source: log. Licence: CC BY 4.0."]
    plt.close(fig)
