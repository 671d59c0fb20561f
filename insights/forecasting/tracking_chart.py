"""Chart of how past forecasts did: error and interval coverage by forecast origin and series.

Draws :func:`insights.forecast_accuracy` output (:mod:`insights.forecasting.accuracy`); altair is
imported only when a chart is made, so forecasting stays light for scripts.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from insights._common import require_columns, tag_level

__all__ = ["tracking_chart"]


def tracking_chart(accuracy: pl.DataFrame, /) -> Any:
    """MASE and interval coverage of past forecasts, by forecast origin and series.

    Parameters
    ----------
    accuracy
        :func:`insights.forecast_accuracy` output with ``by=("as_of", "unique_id")``.

    Examples
    --------
    >>> from datetime import date
    >>> acc = pl.DataFrame({"as_of": [date(2025, 6, 1)], "unique_id": ["phone"],
    ...                     "mase": [0.8], "coverage_80": [0.75], "coverage_95": [0.9]})
    >>> [c["title"] for c in tracking_chart(acc).to_dict()["concat"]]
    ['Error', 'Interval coverage']

    """
    import altair as alt  # noqa: PLC0415 - only reports draw charts

    from insights.publish.theme import titled  # noqa: PLC0415

    require_columns(accuracy, ["as_of", "unique_id", "mase"], who="tracking_chart", what="accuracy")
    levels = [c.removeprefix("coverage_") for c in accuracy.columns if c.startswith("coverage_")]
    long = accuracy.unpivot(
        index=["as_of", "unique_id"],
        on=[f"coverage_{t}" for t in levels],
        variable_name="level",
        value_name="coverage",
    ).with_columns(
        (pl.col("level").str.strip_prefix("coverage_").str.replace("_", ".") + "%").alias("level")
    )
    x = alt.X("as_of:T", title="Forecast made as of")
    mase = (
        alt.Chart(accuracy.select("as_of", "unique_id", "mase"), title="Error")
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y("mase:Q", title="Error vs the usual week-on-week change"),
            color=alt.Color("unique_id:N", title="Series"),
            tooltip=["as_of:T", "unique_id:N", alt.Tooltip("mase:Q", format=".2f")],
        )
        .properties(width=280, height=200)
    )
    nominal = pl.DataFrame(
        {
            "level": [f"{tag_level(t):g}%" for t in levels],
            "nominal": [tag_level(t) / 100 for t in levels],
        }
    )
    coverage = alt.layer(
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y(
                "coverage:Q",
                title="Share of actuals inside",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            color=alt.Color("unique_id:N", title="Series"),
            strokeDash=alt.StrokeDash("level:N", title="Interval"),
            tooltip=["as_of:T", "unique_id:N", "level:N", alt.Tooltip("coverage:Q", format=".0%")],
        ),
        alt.Chart(nominal)
        .mark_rule(strokeDash=[2, 2], color="#777777")
        .encode(y="nominal:Q", detail="level:N"),
        title="Interval coverage",
    ).properties(width=280, height=200)
    return titled(
        alt.concat(mase, coverage, columns=2),
        title="How did our last forecasts do?",
        subtitle="Each archived forecast scored on the actuals since; dotted: nominal coverage",
    )
