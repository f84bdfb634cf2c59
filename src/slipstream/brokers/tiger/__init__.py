"""Tiger Brokers through the official ``tigeropen`` SDK.

``client`` does the wire I/O (trade, quote and push clients), ``parsing`` translates wire and
domain records, ``errors`` maps SDK failures into the error tree, ``broker`` implements the
broker contract (threads, requests, polling), ``jobs`` is the blocking work its worker threads
do and ``inbox`` the records they hand back, ``tracking`` is the per-order state machine and
its one table, ``fold`` decides what each record does to an order (pure, no threads or SDK),
``config`` validates settings and ``local_gateway`` starts the local gateway used by tests and
the demo.
"""

from slipstream.brokers.tiger.broker import TigerBroker
from slipstream.brokers.tiger.config import TigerConfig
from slipstream.brokers.tiger.local_gateway import GatewayHandle, start_local_gateway

__all__ = ["GatewayHandle", "TigerBroker", "TigerConfig", "start_local_gateway"]
