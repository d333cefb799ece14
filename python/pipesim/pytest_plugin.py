"""The pytest plugin (registered through the ``pytest11`` entry point).

Fixtures:

- ``pipesim_server`` (session): one ``Server`` for the whole test session.
- ``pipesim`` (function): that server, reset before each test, so no pipeline, execution
  or fault rule leaks from one test into the next.
- ``pipesim_options`` (session): the ``pipesim serve`` options the server starts with;
  override it in a ``conftest.py`` to choose them (``{"virtual_time": True}``, ...).

The seed comes from ``--pipesim-seed`` on the command line or ``pipesim_seed`` in the
ini file; with neither, the server picks one and ``pipesim.health()["seed"]`` tells it.
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from ._server import Server


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("pipesim", "the AWS CodePipeline simulator")
    group.addoption(
        "--pipesim-seed",
        type=int,
        default=None,
        help="seed of the pipesim server, so that ids and outcomes replay",
    )
    parser.addini("pipesim_seed", "seed of the pipesim server", default="")


@pytest.fixture(scope="session")
def pipesim_options(pytestconfig: pytest.Config) -> dict[str, Any]:
    """The options of the session's server: the seed, if one is configured."""
    seed = pytestconfig.getoption("pipesim_seed")
    if seed is None and pytestconfig.getini("pipesim_seed"):
        seed = int(pytestconfig.getini("pipesim_seed"))
    return {} if seed is None else {"seed": seed}


@pytest.fixture(scope="session")
def pipesim_server(pipesim_options: dict[str, Any]) -> Iterator[Server]:
    """One pipesim server for the session."""
    with Server(**pipesim_options) as server:
        yield server


@pytest.fixture
def pipesim(pipesim_server: Server) -> Server:
    """The session's server, reset before the test."""
    pipesim_server.reset()
    return pipesim_server
