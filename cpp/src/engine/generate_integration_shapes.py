#!/usr/bin/env python3
"""Generate ``integration_shapes_generated.inc``: the result shapes TestState checks mocks against.

TestState's ``mock.fieldValidationMode`` (STRICT, the default, or PRESENT) checks a
mocked ``result`` against the response shape of the API the Task integrates with
(``engine/integration_shapes.cpp``). Those shapes come from botocore's service
models through this script, never by hand. Run it after upgrading botocore;
``tests/python/test_integration_shapes.py`` fails while the committed file differs
from what the installed botocore would generate::

    python cpp/src/engine/generate_integration_shapes.py            # rewrite the .inc
    python cpp/src/engine/generate_integration_shapes.py --check    # exit 1 if stale

Which integrations (kept small on purpose):

* Step Functions' optimized integrations in their request-response form
  (``arn:aws:states:::<service>:<action>``) that map onto one botocore operation:
  Lambda invoke; DynamoDB getItem, putItem, updateItem, deleteItem; SQS sendMessage;
  SNS publish; EventBridge putEvents; ECS runTask; Batch submitJob; Glue startJobRun;
  Step Functions startExecution; Athena startQueryExecution, stopQueryExecution,
  getQueryExecution, getQueryResults; CodeBuild startBuild, stopBuild,
  batchDeleteBuilds, batchGetReports; SageMaker's create*/updateEndpoint actions;
  EMR on EKS (emr-containers) and EMR Serverless actions; Glue DataBrew startJobRun;
  Bedrock invokeModel and createModelCustomizationJob; EKS createCluster,
  deleteCluster, createNodegroup, deleteNodegroup.
* The AWS SDK integrations (``arn:aws:states:::aws-sdk:<service>:<action>``) the
  conformance corpus's TestState cases use: kms encrypt, lambda getFunction,
  s3 getObject.

Left out: integrations whose result is not one API's output (apigateway:invoke,
http:invoke, eks:call, eks:runJob), EMR (its Step Functions action names do not map
one to one onto the EMR API) and every other aws-sdk action; a mock of those is not
checked.

How Step Functions presents a result, applied here:

* member names are capitalised (``executionArn`` -> ``ExecutionArn``), in nested
  structures too; map keys are data and stay as they are;
* an optimized integration whose service returns a blob that Step Functions parses
  as JSON (lambda:invoke ``Payload``, bedrock:invokeModel ``body``) takes any JSON
  there (type ``document``).

Kept per shape: type, capitalised members, required list, min/max, enum, list
member and map value. A shape is named ``<service>.<ShapeName>``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

OUT = Path(__file__).with_name("integration_shapes_generated.inc")

#: Optimized integrations: Step Functions service name -> (botocore service, [actions]).
OPTIMIZED: dict[str, tuple[str, list[str]]] = {
    "lambda": ("lambda", ["invoke"]),
    "dynamodb": ("dynamodb", ["getItem", "putItem", "updateItem", "deleteItem"]),
    "sqs": ("sqs", ["sendMessage"]),
    "sns": ("sns", ["publish"]),
    "events": ("events", ["putEvents"]),
    "ecs": ("ecs", ["runTask"]),
    "batch": ("batch", ["submitJob"]),
    "glue": ("glue", ["startJobRun"]),
    "states": ("stepfunctions", ["startExecution"]),
    "athena": ("athena", ["startQueryExecution", "stopQueryExecution", "getQueryExecution", "getQueryResults"]),
    "codebuild": ("codebuild", ["startBuild", "stopBuild", "batchDeleteBuilds", "batchGetReports"]),
    "sagemaker": ("sagemaker", ["createEndpoint", "createEndpointConfig", "createHyperParameterTuningJob",
                                "createLabelingJob", "createModel", "createProcessingJob", "createTrainingJob",
                                "createTransformJob", "updateEndpoint"]),
    "emr-containers": ("emr-containers", ["startJobRun", "createVirtualCluster", "deleteVirtualCluster"]),
    "emr-serverless": ("emr-serverless", ["createApplication", "startApplication", "stopApplication",
                                          "deleteApplication", "startJobRun", "cancelJobRun"]),
    "databrew": ("databrew", ["startJobRun"]),
    "eks": ("eks", ["createCluster", "deleteCluster", "createNodegroup", "deleteNodegroup"]),
}
#: Optimized actions served by another botocore service than their family's.
OPTIMIZED_EXTRA: dict[str, tuple[str, str]] = {
    "bedrock:invokeModel": ("bedrock-runtime", "invokeModel"),
    "bedrock:createModelCustomizationJob": ("bedrock", "createModelCustomizationJob"),
}
#: AWS SDK integrations: Step Functions service name -> (botocore service, [actions]).
AWS_SDK: dict[str, tuple[str, list[str]]] = {
    "kms": ("kms", ["encrypt"]),
    "lambda": ("lambda", ["getFunction"]),
    "s3": ("s3", ["getObject"]),
}
#: Output members an optimized integration returns as parsed JSON (botocore member name).
JSON_MEMBERS: dict[str, list[str]] = {
    "lambda:invoke": ["Payload"],
    "bedrock:invokeModel": ["body"],
}
SCALAR_KEYS = ("min", "max", "enum")


def sfn_cased(name: str) -> str:
    """A member name as Step Functions prints it in a result: first letter upper case."""
    return name[:1].upper() + name[1:]


def load(service: str) -> dict:
    """The installed botocore's newest model of `service`."""
    import botocore.loaders

    return botocore.loaders.Loader().load_service_model(service, "service-2")


def integrations() -> list[tuple[str, str, str]]:
    """(resource key, botocore service, botocore operation), in a stable order."""
    out = []
    for family, (service, actions) in OPTIMIZED.items():
        out += [(f"{family}:{a}", service, sfn_cased(a)) for a in actions]
    out += [(key, service, sfn_cased(a)) for key, (service, a) in OPTIMIZED_EXTRA.items()]
    for family, (service, actions) in AWS_SDK.items():
        out += [(f"aws-sdk:{family}:{a}", service, sfn_cased(a)) for a in actions]
    return sorted(out)


class Pruner:
    """Copies the shapes reachable from each output shape, capitalising member names."""

    def __init__(self) -> None:
        self.models: dict[str, dict] = {}
        self.shapes: dict[str, dict] = {"document": {"type": "document"}}

    def model(self, service: str) -> dict:
        if service not in self.models:
            self.models[service] = load(service)
        return self.models[service]

    def add(self, service: str, name: str) -> str:
        key = f"{service}.{name}"
        if key in self.shapes:
            return key
        shape = self.model(service)["shapes"][name]
        out: dict = {"type": "document" if shape.get("document") else shape["type"]}
        self.shapes[key] = out  # before the members: shapes can be recursive
        if out["type"] == "document":
            return key
        out.update({k: shape[k] for k in SCALAR_KEYS if k in shape})
        if "members" in shape:
            out["members"] = {sfn_cased(m): self.add(service, v["shape"]) for m, v in shape["members"].items()}
            if shape.get("required"):
                out["required"] = [sfn_cased(m) for m in shape["required"]]
        if "member" in shape:
            out["member"] = self.add(service, shape["member"]["shape"])
        if "value" in shape:
            out["value"] = self.add(service, shape["value"]["shape"])
        return key

    def output(self, resource: str, service: str, operation: str) -> str | None:
        op = self.model(service)["operations"][operation]
        if "output" not in op:
            return None
        key = self.add(service, op["output"]["shape"])
        json_members = {sfn_cased(m) for m in JSON_MEMBERS.get(resource, [])}
        if not json_members:
            return key
        derived = dict(self.shapes[key])  # this integration's view of the output
        derived["members"] = {m: ("document" if m in json_members else s) for m, s in derived["members"].items()}
        self.shapes[f"{key}@{resource}"] = derived
        return f"{key}@{resource}"


def generate() -> dict:
    pruner = Pruner()
    table = {}
    for resource, service, operation in integrations():
        table[resource] = {"service": service, "operation": operation,
                           "output": pruner.output(resource, service, operation)}
    versions = {s: m["metadata"]["apiVersion"] for s, m in sorted(pruner.models.items())}
    return {"apiVersions": versions, "integrations": table, "shapes": dict(sorted(pruner.shapes.items()))}


def render(data: dict, version: str) -> str:
    """The .inc text: a comment and one raw string literal (in chunks) holding the JSON."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=True)
    chunks = [text[i : i + 8000] for i in range(0, len(text), 8000)]  # compilers cap one literal's length
    body = "\n".join(f'R"sfnshapes({c})sfnshapes"' for c in chunks)
    return (
        "// Generated by cpp/src/engine/generate_integration_shapes.py from botocore's\n"
        "// service models. Do not edit.\n"
        f'inline constexpr const char kShapesBotocoreVersion[] = "{version}";\n'
        f"inline constexpr const char kIntegrationShapesJson[] =\n{body};\n"
    )


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, compare) integration_shapes_generated.inc."""
    import botocore

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed file is stale")
    args = parser.parse_args(argv)
    fresh = render(generate(), botocore.__version__)
    if not args.check:
        OUT.write_text(fresh, encoding="utf-8")
        print(f"wrote {OUT} ({len(fresh)} bytes) from botocore {botocore.__version__}")
        return 0
    current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
    unversioned = [ln for ln in fresh.splitlines() if "kShapesBotocoreVersion" not in ln]
    if [ln for ln in current.splitlines() if "kShapesBotocoreVersion" not in ln] != unversioned:
        print(f"{OUT} is stale against botocore {botocore.__version__}: run {Path(__file__).name}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
