"""Customers: the customer base and its growth (sign-ups, closures, open accounts).

``accounts`` (the daily table) → ``series`` (the long growth series) → ``growth`` (forecast
and backtest; open accounts from their flows in ``stock``; ``pace``: weekly flows and the old
per-week factors).
"""
