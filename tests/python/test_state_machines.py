"""CreateStateMachine / DescribeStateMachine / ListStateMachines / DeleteStateMachine."""

from __future__ import annotations

import json

import pytest
from conftest import ROLE_ARN, START_TIME, unique_name

import stepfiber

PASS_DEFINITION = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})


def create(client: stepfiber.SFNClient, name: str, definition: str = PASS_DEFINITION, **kw: object) -> dict:
    return client.create_state_machine(name=name, definition=definition, roleArn=ROLE_ARN, **kw)


def test_create_state_machine_returns_arn_and_creation_date(client: stepfiber.SFNClient) -> None:
    name = unique_name()
    resp = create(client, name)
    assert resp["stateMachineArn"].startswith("arn:aws:states:us-east-1:")
    assert resp["stateMachineArn"].endswith(f":stateMachine:{name}")
    assert resp["creationDate"] == START_TIME  # manual clock: nothing moved
    assert resp["creationDate"].tzinfo is not None
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_create_state_machine_region_name_is_used_in_arn() -> None:
    with stepfiber.client(manual_clock=True, region_name="eu-west-3") as sfn:
        arn = create(sfn, unique_name())["stateMachineArn"]
    assert arn.startswith("arn:aws:states:eu-west-3:")


def test_response_metadata_has_fresh_request_ids(client: stepfiber.SFNClient) -> None:
    first = create(client, unique_name())["ResponseMetadata"]
    second = create(client, unique_name())["ResponseMetadata"]
    assert first["RequestId"] != second["RequestId"]
    assert second["HTTPStatusCode"] == 200


def test_describe_state_machine_echoes_inputs(client: stepfiber.SFNClient) -> None:
    name = unique_name()
    arn = create(client, name)["stateMachineArn"]
    desc = client.describe_state_machine(stateMachineArn=arn)
    assert desc["stateMachineArn"] == arn
    assert desc["name"] == name
    assert desc["definition"] == PASS_DEFINITION
    assert desc["roleArn"] == ROLE_ARN
    assert desc["type"] == "STANDARD"
    assert desc["status"] == "ACTIVE"
    assert desc["creationDate"] == START_TIME


def test_create_state_machine_express_type_is_kept(client: stepfiber.SFNClient) -> None:
    arn = create(client, unique_name(), type="EXPRESS")["stateMachineArn"]
    assert client.describe_state_machine(stateMachineArn=arn)["type"] == "EXPRESS"


def test_create_state_machine_ignored_members_are_accepted(client: stepfiber.SFNClient) -> None:
    resp = create(
        client,
        unique_name(),
        tags=[{"key": "team", "value": "core"}],
        loggingConfiguration={"level": "OFF", "includeExecutionData": False},
        tracingConfiguration={"enabled": False},
    )
    assert "stateMachineArn" in resp


def test_create_state_machine_identical_twice_returns_existing(client: stepfiber.SFNClient) -> None:
    name = unique_name()
    first = create(client, name)
    client.advance_clock(5)
    second = create(client, name)
    assert second["stateMachineArn"] == first["stateMachineArn"]
    assert second["creationDate"] == first["creationDate"]


def test_create_state_machine_same_name_other_definition_already_exists(client: stepfiber.SFNClient) -> None:
    name = unique_name()
    create(client, name)
    other = json.dumps({"StartAt": "Q", "States": {"Q": {"Type": "Succeed"}}})
    with pytest.raises(client.exceptions.StateMachineAlreadyExists) as e:
        create(client, name, definition=other)
    assert e.value.response["Error"]["Code"] == "StateMachineAlreadyExists"
    assert e.value.operation_name == "CreateStateMachine"


@pytest.mark.parametrize(
    "definition",
    [
        "{not json",
        json.dumps({"States": {"P": {"Type": "Pass", "End": True}}}),  # no StartAt
        json.dumps({"StartAt": "Missing", "States": {"P": {"Type": "Pass", "End": True}}}),
        json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Next": "Nowhere"}}}),
        json.dumps({"StartAt": "P", "States": {"P": {"Type": "NoSuchType", "End": True}}}),
    ],
    ids=["not-json", "no-startat", "unknown-startat", "unknown-next", "unknown-type"],
)
def test_create_state_machine_bad_definition_is_invalid_definition(
    client: stepfiber.SFNClient, definition: str
) -> None:
    with pytest.raises(client.exceptions.InvalidDefinition) as e:
        create(client, unique_name(), definition=definition)
    assert e.value.response["Error"]["Code"] == "InvalidDefinition"


@pytest.mark.parametrize("name", ["has space", "a/b", "star*", "tab\tname"])
def test_create_state_machine_bad_name_is_invalid_name(client: stepfiber.SFNClient, name: str) -> None:
    with pytest.raises(client.exceptions.InvalidName) as e:
        create(client, name)
    assert e.value.response["Error"]["Code"] == "InvalidName"


def test_describe_state_machine_unknown_arn_does_not_exist(client: stepfiber.SFNClient) -> None:
    arn = create(client, unique_name())["stateMachineArn"]
    missing = arn.rsplit(":", 1)[0] + ":" + unique_name("missing")
    with pytest.raises(client.exceptions.StateMachineDoesNotExist) as e:
        client.describe_state_machine(stateMachineArn=missing)
    assert e.value.response["Error"]["Code"] == "StateMachineDoesNotExist"


def test_describe_state_machine_malformed_arn_is_invalid_arn(client: stepfiber.SFNClient) -> None:
    with pytest.raises(client.exceptions.InvalidArn) as e:
        client.describe_state_machine(stateMachineArn="not-an-arn")
    assert e.value.response["Error"]["Code"] == "InvalidArn"


def test_list_state_machines_sorted_by_name(client: stepfiber.SFNClient) -> None:
    names = ["charlie", "alpha", "bravo"]
    arns = {name: create(client, name)["stateMachineArn"] for name in names}
    items = client.list_state_machines()["stateMachines"]
    assert [i["name"] for i in items] == sorted(names)
    assert [i["stateMachineArn"] for i in items] == [arns[n] for n in sorted(names)]
    assert all(i["type"] == "STANDARD" and i["creationDate"] == START_TIME for i in items)


def test_list_state_machines_paginates_with_next_token(client: stepfiber.SFNClient) -> None:
    names = [f"m{i:02d}" for i in range(7)]
    for name in names:
        create(client, name)
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"maxResults": 3} if token is None else {"maxResults": 3, "nextToken": token}
        resp = client.list_state_machines(**kwargs)
        pages += 1
        assert len(resp["stateMachines"]) <= 3
        seen += [i["name"] for i in resp["stateMachines"]]
        token = resp.get("nextToken")
        if token is None:
            break
    assert seen == names
    assert pages == -(-len(names) // 3)


def test_list_state_machines_malformed_next_token_is_invalid_token(client: stepfiber.SFNClient) -> None:
    with pytest.raises(client.exceptions.InvalidToken) as e:
        client.list_state_machines(nextToken="garbage!!")
    assert e.value.response["Error"]["Code"] == "InvalidToken"


def test_list_state_machines_max_results_over_1000_is_validation_exception(
    client: stepfiber.SFNClient,
) -> None:
    with pytest.raises(client.exceptions.ValidationException):
        client.list_state_machines(maxResults=1001)


def test_delete_state_machine_removes_it(client: stepfiber.SFNClient) -> None:
    name = unique_name()
    arn = create(client, name)["stateMachineArn"]
    resp = client.delete_state_machine(stateMachineArn=arn)
    assert set(resp) == {"ResponseMetadata"}
    assert name not in [i["name"] for i in client.list_state_machines()["stateMachines"]]
    with pytest.raises(client.exceptions.StateMachineDoesNotExist):
        client.describe_state_machine(stateMachineArn=arn)


def test_delete_state_machine_unknown_is_noop(client: stepfiber.SFNClient) -> None:
    arn = create(client, unique_name())["stateMachineArn"]
    client.delete_state_machine(stateMachineArn=arn)
    client.delete_state_machine(stateMachineArn=arn)  # already gone: no error


def test_delete_state_machine_malformed_arn_is_invalid_arn(client: stepfiber.SFNClient) -> None:
    with pytest.raises(client.exceptions.InvalidArn):
        client.delete_state_machine(stateMachineArn="not-an-arn")


def test_client_error_looks_like_botocore(client: stepfiber.SFNClient) -> None:
    with pytest.raises(stepfiber.ClientError) as e:
        client.describe_state_machine(stateMachineArn="not-an-arn")
    error = e.value.response["Error"]
    assert str(e.value) == (
        f"An error occurred ({error['Code']}) when calling the DescribeStateMachine "
        f"operation: {error['Message']}"
    )
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert client.exceptions.from_code(error["Code"]) is type(e.value)


def test_client_error_is_a_botocore_client_error(client: stepfiber.SFNClient) -> None:
    botocore_exceptions = pytest.importorskip("botocore.exceptions")
    with pytest.raises(botocore_exceptions.ClientError):
        client.describe_state_machine(stateMachineArn="not-an-arn")


def test_exceptions_namespace_has_every_model_error(client: stepfiber.SFNClient) -> None:
    for code in (
        "TaskTimedOut",
        "InvalidToken",
        "ExecutionAlreadyExists",
        "ValidationException",
        "StateMachineDeleting",
        "StateMachineTypeNotSupported",
        "TaskDoesNotExist",
    ):
        cls = getattr(client.exceptions, code)
        assert issubclass(cls, stepfiber.ClientError) and cls.__name__ == code
    assert client.exceptions.from_code("NotAModeledCode") is stepfiber.ClientError


def test_exceptions_namespace_matches_botocore_model(client: stepfiber.SFNClient) -> None:
    botocore_session = pytest.importorskip("botocore.session")
    model = botocore_session.get_session().get_service_model("stepfunctions")
    for shape in model.error_shapes:
        assert getattr(client.exceptions, shape.name).__name__ == shape.name


def test_client_repr_is_short_and_close_is_idempotent() -> None:
    sfn = stepfiber.client(manual_clock=True)
    assert len(repr(sfn)) < 80 and "SFNClient" in repr(sfn)
    sfn.close()
    sfn.close()
    assert sfn.closed
    with pytest.raises(RuntimeError):
        sfn.list_state_machines()


def test_client_rejects_other_services() -> None:
    with pytest.raises(ValueError):
        stepfiber.client("s3")


def test_version_is_a_string() -> None:
    assert isinstance(stepfiber.__version__, str) and stepfiber.__version__
