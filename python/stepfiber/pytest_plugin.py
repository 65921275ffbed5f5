"""stepfiber's pytest plugin (registered through the ``pytest11`` entry point).

Fixtures (function-scoped, each test gets its own engine):

* ``stepfiber_client`` -- a fresh in-process :class:`stepfiber.SFNClient`, closed after the test.
* ``stepfiber_boto3`` -- a real boto3 ``stepfunctions`` client routed in-process to that
  client's engine. While the test runs, :func:`stepfiber.patch_boto3` is active on the engine,
  so application code that calls ``boto3.client("stepfunctions")`` itself is routed too.
* ``stepfiber_endpoint`` -- the URL (``http://127.0.0.1:PORT``) of an HTTP server over that
  engine, for SDKs and tools that need a socket.

The marker ``@pytest.mark.stepfiber(**options)`` passes options to :func:`stepfiber.client`
for the test's engine, e.g. ``@pytest.mark.stepfiber(manual_clock=True)``.

Example::

    def test_order_flow(stepfiber_boto3, stepfiber_client):
        app.create_workflow()                      # calls boto3.client("stepfunctions")
        ...
        stepfiber_client.advance_clock(3600)       # extensions stay on the engine's client
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator

import pytest

if TYPE_CHECKING:  # pragma: no cover
    import stepfiber

MARKER = "stepfiber"


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``stepfiber`` marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line(
        "markers",
        "stepfiber(**options): options for the stepfiber_client fixture's engine, passed to "
        "stepfiber.client (e.g. manual_clock=True, start_time=..., region_name=..., account_id=...)",
    )


def client_options(node: pytest.Item) -> dict[str, Any]:
    """The keyword options of the closest ``stepfiber`` marker (later markers win per key)."""
    options: dict[str, Any] = {}
    for marker in reversed(list(node.iter_markers(MARKER))):
        if marker.args:
            raise pytest.UsageError(
                f"@pytest.mark.stepfiber takes keyword options only (e.g. manual_clock=True), got {marker.args!r}"
            )
        options.update(marker.kwargs)
    return options


@pytest.fixture
def stepfiber_client(request: pytest.FixtureRequest) -> Iterator[stepfiber.SFNClient]:
    """A fresh in-process stepfiber client (options from ``@pytest.mark.stepfiber``), closed after."""
    import stepfiber

    options = client_options(request.node)
    try:
        sfn = stepfiber.client(**options)
    except TypeError as exc:
        raise pytest.UsageError(f"@pytest.mark.stepfiber: {exc}") from None
    with sfn:
        yield sfn


@pytest.fixture
def stepfiber_boto3(stepfiber_client: stepfiber.SFNClient) -> Iterator[Any]:
    """A real boto3 ``stepfunctions`` client answered in-process by ``stepfiber_client``'s engine.

    :func:`stepfiber.patch_boto3` stays active for the test, so every Step Functions
    client the code under test creates is routed to the same engine.
    """
    import stepfiber

    with stepfiber.patch_boto3(stepfiber_client):
        region = getattr(stepfiber_client, "_region", "us-east-1")
        try:
            import boto3
        except ImportError:  # botocore alone is enough
            import botocore.session

            yield botocore.session.get_session().create_client("stepfunctions", region_name=region)
        else:
            yield boto3.client("stepfunctions", region_name=region)


@pytest.fixture
def stepfiber_endpoint(stepfiber_client: stepfiber.SFNClient) -> Iterator[str]:
    """The URL of an HTTP endpoint (127.0.0.1, a free port) over ``stepfiber_client``'s engine.

    Give it to ``endpoint_url=`` with ``Config(inject_host_prefix=False)``, or to the
    AWS CLI as ``AWS_ENDPOINT_URL_SFN``.
    """
    import stepfiber

    with stepfiber.serve(stepfiber_client) as server:
        yield server.endpoint_url
