"""Contact rates, intraday profiles and staffing from support contacts."""
