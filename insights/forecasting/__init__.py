"""Daily forecasts with calibrated intervals, their backtests, and how past forecasts did.

Public modules: ``forecaster`` (:func:`~insights.forecasting.forecaster.forecast`),
``backtesting`` (``backtest``, ``backtest_predictions``), ``regressors`` (calendar features
and public holidays), ``synthetic`` (``synthetic_daily``), ``tracking`` (forecast records,
scoring archived forecasts, drift flags) and ``archive`` (the forecast archive on disk).
Their shared internals are the private modules ``_options`` (option checks), ``_series``
(validation, calendar inference, the daily grid), ``_holidays`` (holiday tables by name),
``_models`` (candidate models), ``_evaluation`` (rolling-origin backtests and scores) and
``_calibration`` (conformal interval calibration); nothing outside this package imports them.
"""
