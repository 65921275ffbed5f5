"""The AWS CLI (``aws stepfunctions ...``) runs the callback flow against ``stepfiber serve``.

create-state-machine, start-execution, get-execution-history (the token is in TaskScheduled's
parameters), send-task-success, describe-execution; pointed at the server with
``AWS_ENDPOINT_URL_SFN``, fake credentials and ``--region``, exactly as a user would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import stepfiber
from conftest import ROLE_ARN, build_callback_definition


def _aws_cli() -> str:
    """The ``aws`` executable of this environment (skip locally, fail under CI=true, if missing)."""
    beside = Path(sys.executable).with_name("aws")
    found = str(beside) if beside.exists() else shutil.which("aws")
    if found:
        return found
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("the AWS CLI is not installed (pip install awscli)")
    pytest.skip("the AWS CLI is not installed (pip install awscli)")


pytestmark = pytest.mark.skipif(
    not hasattr(stepfiber._core, "HttpServer"), reason="this build has no HTTP server (_core.HttpServer)"
)


def test_aws_cli_callback_flow(tmp_path: Path) -> None:
    """The whole callback flow through the AWS CLI, against a served engine."""
    aws = _aws_cli()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "AWS_ENDPOINT_URL_SFN": "",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_PAGER": "",
        "AWS_MAX_ATTEMPTS": "1",
    }

    with stepfiber.serve() as server:
        env["AWS_ENDPOINT_URL_SFN"] = server.endpoint_url

        def cli(*args: str) -> Any:
            done = subprocess.run([aws, "stepfunctions", *args, "--region", "us-east-1", "--output", "json"],
                                  capture_output=True, text=True, env=env, timeout=120)
            assert done.returncode == 0, f"aws {' '.join(args[:1])} failed: {done.stderr}"
            return json.loads(done.stdout) if done.stdout.strip() else {}

        machine = cli("create-state-machine", "--name", "cli-flow", "--role-arn", ROLE_ARN,
                      "--definition", build_callback_definition())["stateMachineArn"]
        run = cli("start-execution", "--state-machine-arn", machine, "--name", "run-1",
                  "--input", json.dumps({"order": 42}))["executionArn"]
        events = cli("get-execution-history", "--execution-arn", run)["events"]
        scheduled = next(e for e in events if e["type"] == "TaskScheduled")
        token = json.loads(scheduled["taskScheduledEventDetails"]["parameters"])["token"]
        cli("send-task-success", "--task-token", token, "--task-output", json.dumps({"approved": True}))
        described = cli("describe-execution", "--execution-arn", run)
        assert described["status"] == "SUCCEEDED"
        assert json.loads(described["output"]) == {"approved": True}

        # An error reaches the CLI as AWS's: exit status 254 and the code in stderr.
        again = subprocess.run([aws, "stepfunctions", "send-task-success", "--task-token", token,
                                "--task-output", "{}", "--region", "us-east-1"],
                               capture_output=True, text=True, env=env, timeout=120)
        assert again.returncode != 0 and "TaskTimedOut" in again.stderr
