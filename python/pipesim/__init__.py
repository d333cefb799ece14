"""pipesim for Python: run the AWS CodePipeline simulator from a test suite.

``Server`` starts the ``pipesim`` binary that ships in this package on a free loopback
port, waits until it answers, and stops it on exit. Point boto3 at ``server.endpoint``
(or take ``server.client()``) and drive the harness with the admin calls below, which
are the ``/_pipesim/`` admin API of ``pipesim serve``::

    from pipesim import Server

    with Server(seed=7, virtual_time=True) as sim:
        cp = sim.client()
        cp.create_pipeline(pipeline=...)
        sim.advance(60)

The pytest plugin in ``pipesim.pytest_plugin`` gives the ``pipesim`` fixture.
"""

from ._server import PipesimError, Server, binary_path

__all__ = ["PipesimError", "Server", "binary_path"]
