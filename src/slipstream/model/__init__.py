"""Domain model: exact values, instruments, market data records, commands, events, orders."""
