"""The demo session on the bundled real market data."""
