"""The one error hierarchy of Slipstream.

Each class carries the exit code the CLI returns and the HTTP status an API would answer with.
Business outcomes (an order denied by risk, rejected by a venue, expired) are *events*, never
exceptions; exceptions are for input we refuse, state we cannot reach, and parts that fail.

::

    SlipstreamError                      exit 1   HTTP 500
    ├── InputError                       exit 2   HTTP 400   bad user input (field, value, rule)
    │   ├── OrderInputError              exit 2   HTTP 400   a malformed order row / command
    │   └── UnknownInstrumentError       exit 2   HTTP 404   symbol not in the instrument table
    ├── ConfigError                      exit 3   HTTP 500   bad configuration, refuse to start
    ├── DataError                        exit 4   HTTP 422   unreadable or malformed market data
    ├── StateError                       exit 5   HTTP 409   an operation the current state forbids
    │   ├── InvalidTransitionError       exit 5   HTTP 409   an edge not in the order state table
    │   └── TradingHaltedError           exit 5   HTTP 423   trading state forbids new orders
    ├── JournalError                     exit 6   HTTP 500   journal write/read/verify failed
    └── BrokerError                      exit 7   HTTP 502   a broker or venue failed
        ├── BrokerUnavailableError       exit 7   HTTP 503   cannot reach the broker
        ├── BrokerTimeoutError           exit 7   HTTP 504   no answer in time; outcome unknown
        ├── BrokerAuthError              exit 3   HTTP 502   credentials / keys / account refused
        └── BrokerRequestError           exit 7   HTTP 502   the broker refused the request itself

Every class takes the same arguments (httpx-style): a sentence, ``Error("message")``, or the
three parts of a refused value, ``Error(field, value, rule)`` — "field 'quantity' = -5: must be
positive" — and an optional ``where=`` (a file and row) that prefixes the message. ``field``,
``value``, ``rule`` and ``where`` are kept as attributes (None for a plain sentence), so an API
can answer with them as structured data.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

_NO_VALUE: Any = object()
E = TypeVar("E", bound="SlipstreamError")


class SlipstreamError(Exception):
    """Root of every error Slipstream raises on purpose (the one signature: module docstring)."""

    exit_code: ClassVar[int] = 1
    http_status: ClassVar[int] = 500

    def __init__(
        self,
        message_or_field: str,
        value: object = _NO_VALUE,
        rule: str | None = None,
        *,
        where: str | None = None,
    ) -> None:
        if rule is None:
            if value is not _NO_VALUE:
                raise TypeError("an error takes (message) or (field, value, rule)")
            self.field: str | None = None
            self.value: object = None
            self.rule: str | None = None
            text = message_or_field
        else:
            self.field, self.value, self.rule = message_or_field, value, rule
            text = f"field '{message_or_field}' = {value!r}: {rule}"
        self.where = where
        super().__init__(f"{where}: {text}" if where else text)

    def located(self, cls: type[E], where: str) -> E:
        """Return this error as a ``cls`` located at ``where`` (a file's row), parts kept."""
        if self.rule is None:
            return cls(str(self), where=where)
        return cls(self.field or "", self.value, self.rule, where=where)


class InputError(SlipstreamError):
    """Input we refuse; the message names the field, the value and the rule."""

    exit_code = 2
    http_status = 400


class OrderInputError(InputError):
    """A malformed order row or command."""


class UnknownInstrumentError(InputError):
    """A symbol that is not in the instrument table."""

    http_status = 404


class ConfigError(SlipstreamError):
    """Bad configuration: Slipstream refuses to start."""

    exit_code = 3


class DataError(SlipstreamError):
    """Market data that cannot be read or parsed."""

    exit_code = 4
    http_status = 422


class StateError(SlipstreamError):
    """An operation the current state does not allow."""

    exit_code = 5
    http_status = 409


class InvalidTransitionError(StateError):
    """An (state, trigger) pair that is not an edge of the order state table."""


class TradingHaltedError(StateError):
    """The trading state forbids the requested action."""

    http_status = 423


class JournalError(SlipstreamError):
    """The write-ahead journal cannot be written, read or verified."""

    exit_code = 6


class BrokerError(SlipstreamError):
    """A broker or venue failed."""

    exit_code = 7
    http_status = 502


class BrokerUnavailableError(BrokerError):
    """The broker cannot be reached."""

    http_status = 503


class BrokerTimeoutError(BrokerError):
    """The broker did not answer in time; the outcome of the request is unknown."""

    http_status = 504


class BrokerAuthError(BrokerError):
    """The broker refused our credentials, keys or account."""

    exit_code = 3


class BrokerRequestError(BrokerError):
    """The broker refused the request itself (bad parameters, unknown contract, ...)."""
