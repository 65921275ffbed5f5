"""``stepfiber.patch_boto3``: real boto3/botocore clients answered in-process by the engine.

botocore serializes, signs, parses and raises as against AWS; the route only carries the
bytes through ``SFNClient.call_api``. Also the pytest plugin's fixtures and marker.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError, ParamValidationError

import stepfiber
from conftest import ROLE_ARN, START_TIME, build_callback_definition, unique_name
from stepfiber.boto3_route import FAKE_CREDENTIALS, active_client

pytest_plugins = ["pytester"]

PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
#: A port nothing listens on: an unrouted client fails fast, without leaving 127.0.0.1.
DEAD_ENDPOINT = "http://127.0.0.1:9"
UNROUTED = Config(retries={"total_max_attempts": 1}, connect_timeout=2, read_timeout=2)


@pytest.fixture(autouse=True)
def _isolated_aws_config(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """No credentials, region or config file from the machine running the tests."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SFN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)


def _machine(sf: Any, name: str | None = None, definition: str = PASS, **kwargs: Any) -> str:
    return sf.create_state_machine(name=name or unique_name(), definition=definition, roleArn=ROLE_ARN,
                                   **kwargs)["stateMachineArn"]


def test_boto3_client_runs_on_the_engine_without_a_socket() -> None:
    """create/start/describe through boto3.client; the engine's own client sees the same execution."""
    with stepfiber.patch_boto3() as sfn:
        sf = boto3.client("stepfunctions")
        arn = _machine(sf)
        run = sf.start_execution(stateMachineArn=arn, name="e1", input='{"a": 1}')
        assert run["ResponseMetadata"]["HTTPStatusCode"] == 200
        described = sf.describe_execution(executionArn=run["executionArn"])
        assert described["status"] == "SUCCEEDED" and json.loads(described["output"]) == {"a": 1}
        assert described["startDate"].tzinfo is not None  # botocore parsed epoch seconds
        assert sfn.describe_execution(executionArn=run["executionArn"])["status"] == "SUCCEEDED"
        metadata = described["ResponseMetadata"]
        assert len(metadata["RequestId"]) == 36
        assert metadata["HTTPHeaders"]["content-type"] == "application/x-amz-json-1.0"


def test_session_and_botocore_clients_are_routed() -> None:
    """boto3.Session().client and botocore.session clients reach the same engine."""
    with stepfiber.patch_boto3() as sfn:
        arn = _machine(boto3.Session().client("stepfunctions"), name="from-session")
        core = botocore.session.get_session().create_client("stepfunctions", region_name="eu-west-1")
        names = [m["name"] for m in core.list_state_machines()["stateMachines"]]
        assert names == ["from-session"]
        assert sfn.describe_state_machine(stateMachineArn=arn)["name"] == "from-session"


def test_errors_are_botocore_errors() -> None:
    """A modelled error is botocore's exception class with AWS's code, message and 400."""
    with stepfiber.patch_boto3():
        sf = boto3.client("stepfunctions")
        arn = _machine(sf)
        missing = arn.replace(":stateMachine:", ":execution:") + ":nope"
        with pytest.raises(sf.exceptions.ExecutionDoesNotExist) as caught:
            sf.describe_execution(executionArn=missing)
        error = caught.value.response
        assert error["Error"]["Code"] == "ExecutionDoesNotExist"
        assert "nope" in error["Error"]["Message"]
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
        with pytest.raises(sf.exceptions.InvalidArn):
            sf.describe_execution(executionArn="not-an-arn")
        with pytest.raises(ParamValidationError):  # botocore's own client-side check, before sending
            sf.describe_execution()


def test_server_side_validation_wording() -> None:
    """A constraint botocore does not check client-side gets AWS's ValidationException text."""
    with stepfiber.patch_boto3():
        sf = boto3.client("stepfunctions")
        with pytest.raises(sf.exceptions.ValidationException) as caught:
            sf.send_task_failure(taskToken="t" * 10, error="e" * 300)
        message = caught.value.response["Error"]["Message"]
        assert message.startswith("1 validation error detected: Value at 'error' failed to satisfy constraint")


def test_callback_flow_with_a_handler_and_boto3() -> None:
    """The engine's handler sees the token; boto3 completes it; history and output agree."""
    tokens: list[str] = []
    with stepfiber.patch_boto3(manual_clock=True, start_time=START_TIME) as sfn:
        sfn.register_task_handler("arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                                  lambda payload: tokens.append(payload["token"]) or {"MessageId": "m"})
        sf = boto3.client("stepfunctions")
        arn = _machine(sf, definition=build_callback_definition())
        run = sf.start_execution(stateMachineArn=arn, input='{"n": 7}')["executionArn"]
        [task] = sfn.list_pending_tasks(run)
        sf.send_task_success(taskToken=task["taskToken"], output='{"ok": true}')
        assert sfn.wait_for_execution(run, timeout=10)["status"] == "SUCCEEDED"
        assert json.loads(sf.describe_execution(executionArn=run)["output"]) == {"ok": True}
        with pytest.raises(sf.exceptions.TaskTimedOut):
            sf.send_task_success(taskToken=task["taskToken"], output="{}")
        types = [e["type"] for e in sf.get_execution_history(executionArn=run)["events"]]
        assert types[-1] == "ExecutionSucceeded" and "TaskSucceeded" in types


def test_sync_operations_work_despite_the_host_prefix() -> None:
    """StartSyncExecution (botocore prepends ``sync-`` to the host) runs in-process."""
    with stepfiber.patch_boto3():
        sf = boto3.client("stepfunctions")  # default config: the host prefix is injected
        arn = _machine(sf, type="EXPRESS")
        done = sf.start_sync_execution(stateMachineArn=arn, input='{"x": 1}')
        assert done["status"] == "SUCCEEDED" and json.loads(done["output"]) == {"x": 1}


def test_test_state_answers_the_layers_error_through_boto3() -> None:
    """TestState (also ``sync-``) answers exactly what the operation layer answers."""
    with stepfiber.patch_boto3() as sfn:
        body = json.dumps({"definition": PASS, "roleArn": ROLE_ARN})
        status, raw = sfn.call_api("AWSStepFunctions.TestState", body)
        sf = boto3.client("stepfunctions")
        if status == 200:
            assert sf.test_state(definition=PASS, roleArn=ROLE_ARN)["status"] == json.loads(raw)["status"]
        else:
            expected = json.loads(raw)
            with pytest.raises(ClientError) as caught:
                sf.test_state(definition=PASS, roleArn=ROLE_ARN)
            assert caught.value.response["Error"]["Code"] == expected["__type"].rsplit("#", 1)[-1]
            assert caught.value.response["Error"]["Message"] == expected["message"]
            assert caught.value.response["Error"]["Code"] != "UnknownOperationException"


def test_other_services_are_untouched() -> None:
    """An S3 client inside the route still goes to its own (here: dead) endpoint."""
    with stepfiber.patch_boto3():
        s3 = boto3.client("s3", endpoint_url=DEAD_ENDPOINT, config=UNROUTED)
        with pytest.raises(EndpointConnectionError):
            s3.list_buckets()


def test_clients_made_before_entering_need_patch_client() -> None:
    """An earlier client is not routed; patch_client routes it; after exit it is not again."""
    early = boto3.client("stepfunctions", region_name="us-east-1", endpoint_url=DEAD_ENDPOINT,
                         config=UNROUTED, **{"aws_access_key_id": "a", "aws_secret_access_key": "b"})
    route = stepfiber.patch_boto3()
    with route as sfn:
        with pytest.raises(EndpointConnectionError):
            early.list_state_machines()
        assert route.patch_client(early) is early
        _machine(sfn, name="seen")
        assert [m["name"] for m in early.list_state_machines()["stateMachines"]] == ["seen"]
    with pytest.raises(EndpointConnectionError):
        early.list_state_machines()


def test_patch_client_refuses_other_services() -> None:
    """Only Step Functions clients can be patched."""
    s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=DEAD_ENDPOINT, config=UNROUTED)
    with pytest.raises(TypeError, match="stepfunctions"):
        stepfiber.patch_boto3().patch_client(s3)


def test_fake_credentials_and_region_are_supplied_then_restored() -> None:
    """With nothing configured the route sets fake keys and a region, and removes them after."""
    with stepfiber.patch_boto3(region_name="eu-west-1"):
        assert os.environ["AWS_ACCESS_KEY_ID"] == FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"]
        assert os.environ["AWS_DEFAULT_REGION"] == "eu-west-1"
        arn = _machine(boto3.client("stepfunctions"))
        assert ":eu-west-1:" in arn
    assert "AWS_ACCESS_KEY_ID" not in os.environ and "AWS_DEFAULT_REGION" not in os.environ


def test_existing_credentials_and_region_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """Configured credentials and region are left alone (and used for signing only)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREAL")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    with stepfiber.patch_boto3():
        assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAREAL"
        assert os.environ["AWS_DEFAULT_REGION"] == "ap-south-1"
        assert "AWS_SESSION_TOKEN" not in os.environ
        _machine(boto3.client("stepfunctions"))
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAREAL"


def test_given_client_stays_open_fresh_client_is_closed() -> None:
    """The context value is the engine's client; one the route made is closed on exit."""
    with stepfiber.client() as mine:
        with stepfiber.patch_boto3(mine) as value:
            assert value is mine
        assert not mine.closed
    with stepfiber.patch_boto3() as made:
        assert isinstance(made, stepfiber.SFNClient)
    assert made.closed


def test_nested_routes_bind_clients_to_their_route() -> None:
    """Clients follow the route active when they were made; after it exits, the outer one."""
    with stepfiber.patch_boto3() as outer:
        outer_client = boto3.client("stepfunctions")
        with stepfiber.patch_boto3() as inner:
            inner_client = boto3.client("stepfunctions")
            _machine(inner_client, name="inner")
            _machine(outer_client, name="outer")
            assert [m["name"] for m in inner.list_state_machines()["stateMachines"]] == ["inner"]
            assert [m["name"] for m in outer.list_state_machines()["stateMachines"]] == ["outer"]
        names = [m["name"] for m in inner_client.list_state_machines()["stateMachines"]]
        assert names == ["outer"]  # its route is gone: the active (outer) route answers


def test_concurrent_routes_in_threads_stay_apart() -> None:
    """Routes entered in several threads at once each answer their own thread's clients."""
    barrier = threading.Barrier(3)
    seen: dict[int, list[str]] = {}
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            with stepfiber.patch_boto3():
                sf = boto3.session.Session().client("stepfunctions")
                barrier.wait(timeout=10)  # every route is active now
                _machine(sf, name=f"t{i}")
                barrier.wait(timeout=10)
                seen[i] = [m["name"] for m in sf.list_state_machines()["stateMachines"]]
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert seen == {0: ["t0"], 1: ["t1"], 2: ["t2"]}
    assert "AWS_ACCESS_KEY_ID" not in os.environ


def test_decorator_gives_each_call_a_fresh_engine() -> None:
    """@patch_boto3() and bare @patch_boto3: a new route and engine per call."""

    @stepfiber.patch_boto3(manual_clock=True)
    def app(name: str) -> list[str]:
        sf = boto3.client("stepfunctions")
        _machine(sf, name=name)
        client = active_client()
        assert client is not None and client.now().year >= 2024
        return [m["name"] for m in sf.list_state_machines()["stateMachines"]]

    assert app("one") == ["one"]
    assert app("two") == ["two"]

    @stepfiber.patch_boto3
    def bare() -> int:
        return len(boto3.client("stepfunctions").list_activities()["activities"])

    assert bare() == 0
    assert active_client() is None


def test_bad_use_is_a_clear_error() -> None:
    """Wrong argument types and re-entry raise at once."""
    with pytest.raises(TypeError):
        stepfiber.patch_boto3("not a client")  # type: ignore[arg-type]
    with stepfiber.client() as mine, pytest.raises(TypeError):
        stepfiber.patch_boto3(mine, manual_clock=True)
    route = stepfiber.patch_boto3()
    with route:
        with pytest.raises(RuntimeError, match="entered once"):
            route.__enter__()
    closed = stepfiber.client()
    closed.close()
    with pytest.raises(RuntimeError, match="closed"):
        with stepfiber.patch_boto3(closed):
            pass


# --- the pytest plugin --------------------------------------------------------------------


def test_plugin_client_fixture(stepfiber_client: stepfiber.SFNClient) -> None:
    """stepfiber_client is a fresh real-clock engine."""
    assert stepfiber_client.list_state_machines()["stateMachines"] == []


@pytest.mark.stepfiber(manual_clock=True, start_time=START_TIME, region_name="eu-central-1")
def test_plugin_marker_options(stepfiber_client: stepfiber.SFNClient, stepfiber_boto3: Any) -> None:
    """@pytest.mark.stepfiber options reach stepfiber.client; the boto3 client uses its region."""
    assert stepfiber_client.now() == START_TIME
    stepfiber_client.advance_clock(60)
    arn = _machine(stepfiber_boto3)
    assert ":eu-central-1:" in arn


def test_plugin_boto3_fixture_routes_code_under_test(stepfiber_boto3: Any, stepfiber_client: stepfiber.SFNClient) -> None:
    """Application code that makes its own boto3 client reaches the same engine."""

    def application_code() -> str:  # unchanged production code
        return boto3.client("stepfunctions").create_state_machine(
            name="app", definition=PASS, roleArn=ROLE_ARN)["stateMachineArn"]

    arn = application_code()
    assert stepfiber_boto3.describe_state_machine(stateMachineArn=arn)["name"] == "app"
    assert stepfiber_client.describe_state_machine(stateMachineArn=arn)["name"] == "app"


def test_plugin_is_registered_through_the_entry_point(pytester: pytest.Pytester) -> None:
    """A project with stepfiber installed gets the fixtures and the marker with no conftest."""
    pytester.makeini("[pytest]\naddopts = --strict-markers\n")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.stepfiber(manual_clock=True)
        def test_uses_all(stepfiber_client, stepfiber_boto3):
            stepfiber_client.advance_clock(1)
            assert stepfiber_boto3.list_activities()["activities"] == []
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
