"""The ``slipstream`` command line."""
