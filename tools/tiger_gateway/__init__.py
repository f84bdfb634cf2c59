"""A local stand-in for Tiger Brokers' open API: signed HTTP JSON and protobuf push on loopback.

Run it with ``python -m tools.tiger_gateway --port 0 --key-dir DIR``; see :mod:`.__main__`.
"""
