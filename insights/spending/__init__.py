"""Trending spending: insight tables and charts from card-spending aggregates."""
