"""The heavy reduce: raw rows to small aggregate tables, on any engine."""
