"""Map every ``tigeropen`` failure, once, into Slipstream's broker errors.

The SDK fails in three ways: ``RequestException`` (the HTTP call itself failed: refused,
reset, timed out), ``ResponseException`` (a non-200 status or a response whose signature does
not verify) and ``ApiException(code, msg)`` (Tiger answered with an error code). The push
channel adds ``PushException`` and its subclasses. :func:`map_exception` turns each into one
:class:`~slipstream.core.errors.BrokerError` subclass; :func:`outcome_unknown` says whether a
failed order request may still have reached the venue (so it must be reconciled by query and
never blindly re-sent).

Tiger's documented error codes and where they land::

    code  meaning                       maps to
    1     server error                  BrokerUnavailableError  (outcome unknown)
    2     network read time out         BrokerTimeoutError      (outcome unknown)
    4     access forbidden              BrokerAuthError
    5     rate limit error              BrokerUnavailableError  (retry later)
    1000  common param error            BrokerAuthError if about signature/developer,
                                        else BrokerRequestError
    1010  biz param error               BrokerRequestError
    1100  global account error          BrokerRequestError
    1200  US stock trade error          BrokerRequestError
    1300  HK stock trade error          BrokerRequestError
    2100  quote error                   BrokerRequestError
    4000  permission denied             BrokerAuthError
    4001  kicked out (push)             BrokerAuthError
    other                               BrokerRequestError
"""

from __future__ import annotations

from tigeropen.common.exceptions import ApiException, RequestException, ResponseException
from tigeropen.push.network.exception import PushException

from slipstream.core.errors import (
    BrokerAuthError,
    BrokerError,
    BrokerRequestError,
    BrokerTimeoutError,
    BrokerUnavailableError,
)

#: Tiger API error code -> the broker error it means.
API_CODES: dict[int, type[BrokerError]] = {
    1: BrokerUnavailableError,
    2: BrokerTimeoutError,
    4: BrokerAuthError,
    5: BrokerUnavailableError,
    1000: BrokerRequestError,
    1010: BrokerRequestError,
    1100: BrokerRequestError,
    1200: BrokerRequestError,
    1300: BrokerRequestError,
    2100: BrokerRequestError,
    4000: BrokerAuthError,
    4001: BrokerAuthError,
}

#: Words in a ``1000`` message that mean our identity, not our parameters, was refused.
_AUTH_WORDS = ("signature", "developer", "tiger_id", "tigerid", "private key", "license")

#: Every SDK exception class this module maps (a test keeps this list complete).
SDK_EXCEPTIONS: tuple[type[Exception], ...] = (
    ApiException,
    RequestException,
    ResponseException,
    PushException,
)


def _api_error(code: int, message: str) -> type[BrokerError]:
    kind = API_CODES.get(code, BrokerRequestError)
    if code == 1000 and any(word in message.lower() for word in _AUTH_WORDS):
        return BrokerAuthError
    return kind


def _http_error(status: int | None, text: str) -> type[BrokerError]:
    if "sign verify failed" in text:
        return BrokerAuthError
    if status in (401, 403):
        return BrokerAuthError
    if status == 429 or (status is not None and status >= 500):
        return BrokerUnavailableError
    return BrokerRequestError


def map_exception(exc: BaseException, action: str) -> BrokerError:
    """Return the broker error that ``exc`` (raised by the SDK during ``action``) stands for.

    The caller raises it ``from exc`` so the vendor's traceback is kept.
    """
    text = str(exc)
    kind: type[BrokerError]
    if isinstance(exc, ApiException):
        code = int(exc.code) if str(exc.code).lstrip("-").isdigit() else -1
        message = str(exc.msg)
        kind = _api_error(code, message)
        return kind(f"tiger {action}: code {code}: {message}")
    if isinstance(exc, ResponseException):
        kind = _http_error(exc.status, text)
    elif isinstance(exc, RequestException):
        # The SDK embeds the whole request before " detail: "; only the detail says why.
        lowered = text.rsplit(" detail: ", 1)[-1].lower()
        kind = (
            BrokerTimeoutError
            if "timed out" in lowered or "timeout" in lowered
            else (BrokerUnavailableError)
        )
    elif isinstance(exc, PushException):
        kind = BrokerUnavailableError
    elif isinstance(exc, TimeoutError):
        kind = BrokerTimeoutError
    elif isinstance(exc, OSError):
        kind = BrokerUnavailableError
    else:
        kind = BrokerError
    return kind(f"tiger {action}: {type(exc).__name__}: {_short(text)}")


def outcome_unknown(error: BrokerError) -> bool:
    """Return whether a failed order request may nevertheless have been acted on."""
    return isinstance(error, BrokerTimeoutError | BrokerUnavailableError) or type(error) is (
        BrokerError
    )


def _short(text: str, limit: int = 300) -> str:
    """Keep messages readable: the SDK embeds whole request bodies in its errors."""
    return text if len(text) <= limit else text[:limit] + "…"
