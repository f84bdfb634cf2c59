"""Positions folded from fills, cash, NAV and exposures; reconciliation against brokers."""
