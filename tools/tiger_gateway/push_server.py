"""The push side of the gateway: Tiger's protobuf protocol over plain TCP.

Frames are a varint length followed by a serialized ``Request`` (client to server) or
``Response`` (server to client), exactly as ``tigeropen.push`` reads and writes them. The client
connects with ``CONNECT`` carrying its tiger id and an RSA signature of that id; the gateway
checks it and answers ``CONNECTED`` with the agreed heartbeat intervals, echoes every
``HEARTBEAT``, acknowledges ``SUBSCRIBE``/``UNSUBSCRIBE`` (codes 112/113) and then pushes order
status, execution, position and asset changes to the subscribers of each kind. Faults: drop or
duplicate a message, or close every connection (the client must reconnect, resubscribe and
re-query what it missed).
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
from typing import Any

from tigeropen.push.pb.AssetData_pb2 import AssetData
from tigeropen.push.pb.OrderStatusData_pb2 import OrderStatusData
from tigeropen.push.pb.OrderTransactionData_pb2 import OrderTransactionData
from tigeropen.push.pb.PositionData_pb2 import PositionData
from tigeropen.push.pb.PushData_pb2 import PushData
from tigeropen.push.pb.Request_pb2 import Request
from tigeropen.push.pb.Response_pb2 import Response
from tigeropen.push.pb.SocketCommon_pb2 import SocketCommon

from tools.tiger_gateway import keys
from tools.tiger_gateway.http_server import GatewayState
from tools.tiger_gateway.venue import now_ms

log = logging.getLogger("tiger_gateway.push")

SUBSCRIBE_END = 112
UNSUBSCRIBE_END = 113
DataType = SocketCommon.DataType
KIND_TO_TYPE = {
    "order": DataType.OrderStatus,
    "transaction": DataType.OrderTransaction,
    "position": DataType.Position,
    "asset": DataType.Asset,
}


def encode_frame(payload: bytes) -> bytes:
    """Prefix ``payload`` with its length as a protobuf varint."""
    out = bytearray()
    value = len(payload)
    while True:
        bits = value & 0x7F
        value >>= 7
        if value:
            out.append(0x80 | bits)
        else:
            out.append(bits)
            return bytes(out) + payload


def read_frame(sock: socket.socket) -> bytes | None:
    """Read one length-prefixed frame; return None when the peer closed the socket."""
    length, shift = 0, 0
    while True:
        byte = sock.recv(1)
        if not byte:
            return None
        length |= (byte[0] & 0x7F) << shift
        shift += 7
        if not byte[0] & 0x80:
            break
    data = b""
    while len(data) < length:
        chunk = sock.recv(length - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _us_stock(symbol: str, identifier: str) -> dict[str, Any]:
    """Return the contract fields every order, execution and position message carries."""
    return {
        "symbol": symbol,
        "identifier": identifier,
        "multiplier": 1,
        "market": "US",
        "currency": "USD",
        "segType": "S",
        "secType": "STK",
    }


def build_body(kind: str, payload: dict[str, Any]) -> PushData:
    """Turn a venue announcement into the ``PushData`` Tiger sends for it."""
    body = PushData(dataType=KIND_TO_TYPE[kind])
    ts = now_ms()
    if kind == "order":
        body.orderStatusData.CopyFrom(
            OrderStatusData(
                id=payload["id"],
                account=payload["account"],
                action=payload["action"],
                **_us_stock(payload["symbol"], payload["identifier"]),
                orderType=payload["orderType"],
                isLong=True,
                totalQuantity=payload["totalQuantity"],
                filledQuantity=payload["filledQuantity"],
                avgFillPrice=payload["avgFillPrice"],
                limitPrice=payload.get("limitPrice", 0.0),
                stopPrice=payload.get("auxPrice", 0.0),
                status=payload["status"],
                canModify=payload["canModify"],
                canCancel=payload["canModify"],
                source="OpenApi",
                errorMsg=payload["remark"],
                commissionAndFee=payload["commission"],
                openTime=payload["openTime"],
                timestamp=ts,
                userMark=payload["userMark"],
                timeInForce=payload["timeInForce"],
                updateTime=payload["updateTime"],
                latestTime=payload["latestTime"],
            )
        )
    elif kind == "transaction":
        body.orderTransactionData.CopyFrom(
            OrderTransactionData(
                id=payload["id"],
                orderId=payload["orderId"],
                account=payload["accountId"],
                action=payload["action"],
                **_us_stock(payload["symbol"], payload["symbol"]),
                filledPrice=payload["filledPrice"],
                filledQuantity=payload["filledQuantity"],
                createTime=payload["transactionTime"],
                updateTime=payload["transactionTime"],
                transactTime=payload["transactionTime"],
                timestamp=ts,
            )
        )
    elif kind == "position":
        body.positionData.CopyFrom(
            PositionData(
                account=payload["account"],
                **_us_stock(payload["symbol"], payload["symbol"]),
                position=payload["position"],
                averageCost=payload["averageCost"],
                latestPrice=payload["latestPrice"],
                marketValue=payload["marketValue"],
                unrealizedPnl=payload["unrealizedPnl"],
                timestamp=ts,
                positionQty=float(payload["position"]),
                salableQty=float(payload["position"]),
            )
        )
    else:
        body.assetData.CopyFrom(
            AssetData(
                account=payload["account"],
                currency="USD",
                segType="S",
                availableFunds=payload["availableFunds"],
                excessLiquidity=payload["excessLiquidity"],
                netLiquidation=payload["netLiquidation"],
                equityWithLoan=payload["equityWithLoan"],
                buyingPower=payload["buyingPower"],
                cashBalance=payload["cashBalance"],
                grossPositionValue=payload["grossPositionValue"],
                timestamp=ts,
            )
        )
    return body


class PushConnection:
    """One client connection: its socket, its subscriptions, a lock for writes."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.subscriptions: set[int] = set()
        self.authenticated = False
        self.write_lock = threading.Lock()
        self.closed = False

    def send(self, response: Response) -> None:
        frame = encode_frame(response.SerializeToString())
        with self.write_lock:
            if self.closed:
                return
            try:
                self.sock.sendall(frame)
            except OSError:
                self.close()

    def close(self) -> None:
        self.closed = True
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


class PushServer:
    """Accept push clients and fan venue announcements out to their subscriptions."""

    def __init__(self, state: GatewayState, host: str, port: int) -> None:
        self.state = state
        self.listener = socket.create_server((host, port), reuse_port=False)
        self.port = self.listener.getsockname()[1]
        self._conns: list[PushConnection] = []
        self._lock = threading.Lock()
        self._seq = 0
        state.venue.listeners.append(self.publish)
        state.push_server = self

    def serve_forever(self) -> None:
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = PushConnection(sock)
            with self._lock:
                self._conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def connections(self) -> int:
        with self._lock:
            return sum(1 for c in self._conns if not c.closed and c.authenticated)

    def disconnect_all(self) -> int:
        with self._lock:
            conns, self._conns = self._conns, []
        for conn in conns:
            conn.close()
        return len(conns)

    def _serve(self, conn: PushConnection) -> None:
        try:
            while not conn.closed:
                raw = read_frame(conn.sock)
                if raw is None:
                    break
                request = Request()
                request.ParseFromString(raw)
                self._handle(conn, request)
        except OSError:
            pass
        finally:
            conn.close()
            with self._lock:
                if conn in self._conns:
                    self._conns.remove(conn)

    def _handle(self, conn: PushConnection, request: Request) -> None:
        cmd = request.command
        if cmd == SocketCommon.CONNECT:
            connect = request.connect
            content = connect.tigerId
            ok = connect.tigerId == self.state.tiger_id and keys.verify(
                self.state.client_public, content, connect.sign
            )
            if not ok:
                conn.send(
                    Response(
                        command=SocketCommon.ERROR,
                        id=request.id,
                        code=4,
                        msg="access forbidden: failed to verify signature",
                    )
                )
                conn.close()
                return
            conn.authenticated = True
            beats = f"{connect.sendInterval},{connect.receiveInterval}"
            conn.send(
                Response(
                    command=SocketCommon.CONNECTED,
                    id=request.id,
                    code=0,
                    msg=json.dumps({"heart-beat": beats, "version": "3"}),
                )
            )
        elif not conn.authenticated:
            conn.close()
        elif cmd == SocketCommon.HEARTBEAT:
            conn.send(Response(command=SocketCommon.HEARTBEAT, id=request.id, code=0, msg="ok"))
        elif cmd in (SocketCommon.SUBSCRIBE, SocketCommon.UNSUBSCRIBE):
            data_type = request.subscribe.dataType
            subscribe = cmd == SocketCommon.SUBSCRIBE
            if subscribe:
                conn.subscriptions.add(data_type)
            else:
                conn.subscriptions.discard(data_type)
            conn.send(
                Response(
                    command=SocketCommon.MESSAGE,
                    id=request.id,
                    code=SUBSCRIBE_END if subscribe else UNSUBSCRIBE_END,
                    msg=json.dumps({"dataType": int(data_type), "ok": True}),
                )
            )
        elif cmd == SocketCommon.DISCONNECT:
            conn.close()

    def publish(self, kind: str, payload: dict[str, Any]) -> None:
        """Send a venue announcement to every subscriber (subject to drop/dup faults)."""
        data_type = KIND_TO_TYPE[kind]
        with self._lock:
            targets = [c for c in self._conns if data_type in c.subscriptions and not c.closed]
        if not targets:
            return
        copies = self.state.faults.push_copies()
        if not copies:
            return
        with self._lock:
            self._seq += 1
            seq = self._seq
        response = Response(
            command=SocketCommon.MESSAGE, id=seq, code=0, body=build_body(kind, payload)
        )
        for conn in targets:
            for _ in range(copies):
                conn.send(response)
