"""Data in: contracts, loading, the sample data set."""
