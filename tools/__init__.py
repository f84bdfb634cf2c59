"""Developer tools that run beside Slipstream (local gateways, data helpers)."""
