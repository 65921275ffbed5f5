"""stepfiber: a local AWS Step Functions engine with boto3's ``stepfunctions`` API.

Quickstart::

    import json, stepfiber

    sfn = stepfiber.client(manual_clock=True)
    arn = sfn.create_state_machine(
        name="hello", roleArn="arn:aws:iam::123456789012:role/x",
        definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
    )["stateMachineArn"]
    run = sfn.start_execution(stateMachineArn=arn, input='{"who": "world"}')
    print(sfn.wait_for_execution(run["executionArn"])["output"])   # JSON text of the input

Errors are ``sfn.exceptions.<Code>`` (subclasses of :class:`ClientError`, itself a
``botocore.exceptions.ClientError`` when botocore is installed). Extensions beyond
boto3 (task handlers, pending tasks, waits, the manual clock) are documented on
:class:`SFNClient`.

Other doors onto the same engine: :func:`patch_boto3` routes real boto3 clients to it
in-process, :func:`serve` serves it over HTTP (also ``python -m stepfiber serve``), and the
pytest plugin (``stepfiber.pytest_plugin``) gives the ``stepfiber_client``,
``stepfiber_boto3`` and ``stepfiber_endpoint`` fixtures.
"""

from ._core import __version__
from .boto3_route import patch_boto3
from ._mock_config import MockConfigError
from .client import SFNClient, client
from .exceptions import ClientError, ParamValidationError
from .server import Server, serve

__all__ = [
    "ClientError",
    "MockConfigError",
    "ParamValidationError",
    "SFNClient",
    "Server",
    "__version__",
    "client",
    "patch_boto3",
    "serve",
]
