"""Every broker passes the same conformance scenarios (see ``conformance_harness``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from conformance_drivers import SimDriver, TigerDriver
from conformance_harness import SCENARIOS, Driver, Session

from slipstream.brokers.tiger import GatewayHandle, start_local_gateway


@pytest.fixture(scope="module")
def tiger_gateway() -> Iterator[GatewayHandle]:
    with start_local_gateway() as gateway:
        yield gateway


def _tiger(request: pytest.FixtureRequest) -> Driver:
    gateway: GatewayHandle = request.getfixturevalue("tiger_gateway")
    return TigerDriver(gateway, "IBM")


def _sim(request: pytest.FixtureRequest) -> Driver:
    return SimDriver("IBM")


DRIVERS: dict[str, Callable[[pytest.FixtureRequest], Driver]] = {"sim": _sim, "tiger": _tiger}


@pytest.fixture(params=sorted(DRIVERS))
def driver(request: pytest.FixtureRequest) -> Iterator[Driver]:
    made = DRIVERS[request.param](request)
    yield made
    made.broker.close()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_broker_conformance(
    driver: Driver, scenario: Callable[[Session, str], None], request: pytest.FixtureRequest
) -> None:
    session = Session(driver)
    driver.broker.connect(session.sink)
    scenario(session, f"{request.node.callspec.id}")
