"""Customers: the customer base and its growth (sign-ups, closures, open accounts)."""
