"""Daily forecasts with calibrated intervals, and their backtests."""
