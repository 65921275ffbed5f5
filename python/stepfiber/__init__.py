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
"""

from ._core import __version__
from .client import SFNClient, client
from .exceptions import ClientError, ParamValidationError

__all__ = ["ClientError", "ParamValidationError", "SFNClient", "__version__", "client"]
