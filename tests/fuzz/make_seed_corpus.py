#!/usr/bin/env python3
"""Regenerates tests/fuzz/corpus/ (the committed seed corpora) from the
conformance corpus in ../shared/conformance/localstack. Deterministic: the
same input corpus gives the same seeds. Usage: python3 tests/fuzz/make_seed_corpus.py
"""
import glob
import hashlib
import json
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "..", "..", "shared", "conformance", "localstack")
OUT = os.path.join(HERE, "corpus")
MAX_FILE = 8192


def cases():
    for path in sorted(glob.glob(os.path.join(SRC, "*.json"))):
        if os.path.basename(path).startswith("_"):
            continue
        with open(path) as f:
            yield json.load(f)


def definition_text(d):
    return d if isinstance(d, str) else json.dumps(d, separators=(",", ":"))


def walk(node, fn, key=None):
    fn(key, node)
    if isinstance(node, dict):
        for k, v in node.items():
            walk(v, fn, k)
    elif isinstance(node, list):
        for v in node:
            walk(v, fn, key)


def signature(defn):
    """Which state types and fields a definition uses (for a diverse pick)."""
    feats = set()

    def fn(key, node):
        if isinstance(node, dict):
            if isinstance(node.get("Type"), str):
                feats.add("T:" + node["Type"])
            feats.update("K:" + k for k in node if not k.endswith(".$"))

    walk(defn, fn)
    return feats


def write(target, items):
    """Replace the generated seeds of `target` (named by content hash); hand-made seeds such as
    regression inputs (any other name) and other targets' seeds stay."""
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    for old in os.listdir(d):
        if re.fullmatch(r"[0-9a-f]{16}", old):
            os.remove(os.path.join(d, old))
    for data in items:
        if isinstance(data, str):
            data = data.encode()
        if len(data) > MAX_FILE:
            continue
        name = hashlib.sha1(data).hexdigest()[:16]
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


def main():
    if not os.path.isdir(SRC):
        sys.exit(f"no conformance corpus at {SRC}")
    defs, paths, intrinsics, templates = [], [], [], []
    seen = set()
    for c in cases():
        if "definition" not in c:
            continue
        text = definition_text(c["definition"])
        if text in seen:
            continue
        seen.add(text)
        defs.append((c.get("kind"), c["definition"], text))

        def fn(key, node):
            if not isinstance(key, str):
                return
            if isinstance(node, str):
                if key.endswith(".$") or key.endswith("Path") or key == "Variable":
                    (intrinsics if node.startswith("States.") else paths).append(node)
            elif isinstance(node, dict) and key in ("Parameters", "ResultSelector", "ItemSelector", "Arguments"):
                templates.append(json.dumps(node, separators=(",", ":")))

        if isinstance(c["definition"], dict):
            walk(c["definition"], fn)

    # Definitions: every rejected/validated one (hostile by construction), then a
    # greedy pick of accepted ones that adds the most unseen features.
    picked = [t for k, _, t in defs if k in ("create_error", "validate") or k.startswith("api_error")][:40]
    covered = set()
    pool = [(signature(d) if isinstance(d, dict) else set(), t) for k, d, t in defs if k in ("execution", "test_state")]
    while len(picked) < 80 and pool:
        best = max(pool, key=lambda p: (len(p[0] - covered), -len(p[1])))
        if not best[0] - covered:
            break
        covered |= best[0]
        picked.append(best[1])
        pool.remove(best)
    write("compile", picked)

    def dedupe(xs, n):
        out = []
        for x in xs:
            if x not in out:
                out.append(x)
        return out[:n]

    extra_paths = ["$", "$$", "$.a.b[0]", "$['x y']", "$.items[*].id", "$..name", "$.a[1:3]", "$.a[-1:]",
                   "$.a[0,2]", "$.store.book[?(@.price < 10)].title", "$.a['x','y']", "$.store..price",
                   "$.items[?(@ == 'x')]", "$.nested.a.b.c[1][1].d", "$[0]", "$.a[::2]"]
    write("json_path", dedupe(extra_paths + paths, 120))
    extra_intrinsics = ["States.Format('x {} y {}', $.n, $$.Execution.Name)", "States.ArrayRange(1, 9, 2)",
                        "States.MathAdd($.n, -1)", "States.StringSplit($.s, ',')", "States.UUID()",
                        "States.Hash($.s, 'SHA-256')", "States.JsonMerge($.store, $.empty, false)",
                        "States.Base64Decode($.b64)", "States.StringToJson($.json)", "States.ArrayUnique($list)",
                        "States.ArrayGetItem(States.Array(1, 2, 3), 1)", "States.MathRandom(1, 100)"]
    write("intrinsic", dedupe(extra_intrinsics + intrinsics, 120))
    write("payload_template", dedupe(templates, 80) + [
        '{"a.$":"$.store.book[*].author","b":{"c.$":"$$.Map.Item.Value","d.$":"$list"},"e.$":"States.Array($.n)"}'])

    rnd = random.Random(5)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    tokens = ["".join(rnd.choice(alphabet) for _ in range(53)) + "A" for _ in range(4)]
    write("token", tokens + ["", "NoSuchTaskToken", "A" * 54, tokens[0][:53], tokens[0] + "A",
                             "\x01\x10\x01\x20\x02", "\x02" + "\x00\xff" * 8])
    outputs = ['{}', '{"approved":true}', '[1,2,3]', '"s"', '{"approved":' * 20 + '1' + '}' * 20, 'null', '{not json',
               '1e999', '{"a":"\\ud800"}']
    seeds = []
    for mode in (0, 1, 2, 3, 4, 8, 12, 8 | 16, 8 | 32, 13):
        for out in outputs[: 3 if mode else len(outputs)]:
            seeds.append(bytes([mode]) + (tokens[1].encode() if mode & 3 == 2 else b"\x05\x01") + b"\x00" + out.encode())
    seeds.append(bytes([8]) + b"\x00States.Timeout\x00cause")
    write("send_task", seeds)
    write("test_state", test_state_requests())


def test_state_requests():
    """TestState request bodies: each recorded TestState case's request as the runner rebuilds it
    (definition, input, test_state_args), plus hostile variants of the members it reads."""
    out = []
    for c in cases():
        if c.get("kind") not in ("test_state", "api_error:test_state") or "definition" not in c:
            continue
        body = {"definition": definition_text(c["definition"])}
        if c.get("input") is not None:
            body["input"] = json.dumps(c["input"])
        body.update(c.get("test_state_args") or {})
        text = json.dumps(body, separators=(",", ":"))
        if text not in out:
            out.append(text)
    task = json.dumps({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True})
    mapped = json.dumps({"Type": "Map", "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                         "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 3}], "End": True})
    out += [
        json.dumps({"definition": mapped, "mock": {"result": "[1,2]"}, "inspectionLevel": "TRACE",
                    "stateConfiguration": {"mapIterationFailureCount": 1, "retrierRetryCount": 2,
                                           "errorCausedByState": "P", "mapItemReaderData": "[1,2,3]"}}),
        json.dumps({"definition": task, "mock": {"errorOutput": {"error": "E", "cause": "c"}},
                    "context": json.dumps({"Task": {"Token": "t"}, "Execution": {"Id": 1}}), "variables": "{\"x\":1}"}),
        json.dumps({"definition": task, "mock": {"result": "{}", "fieldValidationMode": "PRESENT"},
                    "revealSecrets": True, "roleArn": "arn:aws:iam::1:role/r"}),
        json.dumps({"definition": "{", "stateName": "", "inspectionLevel": "LOUD"}),
        '{"definition":"{\"Type\":\"Pass\",\"End\":true}","input":"[' + "[" * 60 + "]" * 60 + ']"}',
    ]
    return out[:150]


if __name__ == "__main__":
    main()
