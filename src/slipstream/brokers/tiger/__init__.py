"""Tiger Brokers through the official ``tigeropen`` SDK.

``client`` does the wire I/O (trade, quote and push clients), ``parsing`` translates wire and
domain records, ``errors`` maps SDK failures into the error tree, ``broker`` implements the
broker contract, ``config`` validates settings and ``local_gateway`` starts the local gateway
used by tests and the demo.
"""

from slipstream.brokers.tiger.broker import TigerBroker
from slipstream.brokers.tiger.config import TigerConfig
from slipstream.brokers.tiger.local_gateway import GatewayHandle, start_local_gateway
from slipstream.brokers.tiger.parsing import AlgoRequest

__all__ = ["AlgoRequest", "GatewayHandle", "TigerBroker", "TigerConfig", "start_local_gateway"]
