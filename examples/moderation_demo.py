"""Content moderation with stepfiber: the callback pattern end to end.

Run with ``make demo`` (or ``python examples/moderation_demo.py`` once
stepfiber is installed). The workflow, in ``moderation.asl.json``, is plain
Amazon States Language that deploys to AWS unchanged:

1. a Choice rejects posts with forbidden words outright;
2. a ``.waitForTaskToken`` task "sends an SQS message" to a moderator and the
   execution parks until the moderator answers with the task token;
3. a Choice reads the decision;
4. the post is published (Pass) or rejected (Fail).

Here the SQS queue is a Python ``queue.Queue`` fed by a registered task
handler, and the moderator is a thread that approves or rejects each post
through ``send_task_success`` / ``send_task_failure``-style calls, exactly as
a worker would against AWS with boto3.
"""

from __future__ import annotations

import json
import pathlib
import queue
import sys
import threading
import time
import uuid

import stepfiber

HERE = pathlib.Path(__file__).resolve().parent
SQS_SEND = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"

POSTS = [
    {"postId": "p1", "text": "Hello world, my first post"},
    {"postId": "p2", "text": "Buy now: free money for everyone"},
    {"postId": "p3", "text": "Photos from the mountains"},
    {"postId": "p4", "text": "This spam is not spam, honest"},
    {"postId": "p5", "text": "I strongly disagree with you, idiot"},
    {"postId": "p6", "text": "Recipe: lemon cake"},
    {"postId": "p7", "text": "You are all idiots"},
    {"postId": "p8", "text": "Release notes for v2.0"},
]


def fake_sqs_handler(inbox: "queue.Queue[dict]"):
    """Stand-in for SQS SendMessage: queue the message body, answer like SQS."""

    def send_message(parameters: dict) -> dict:
        inbox.put(parameters["MessageBody"])
        return {"MessageId": str(uuid.uuid4()), "MD5OfMessageBody": "-"}

    return send_message


def moderator(sfn, inbox: "queue.Queue[dict]", expected: int, decisions: dict) -> None:
    """A human moderator: approves polite posts and rejects rude ones."""
    for _ in range(expected):
        message = inbox.get(timeout=30)
        rude = "idiot" in message["text"].lower()
        decision = "reject" if rude else "approve"
        decisions[message["postId"]] = decision
        review = {"decision": decision, "moderator": "alice"}
        if rude:
            review["reason"] = "Insulting language"
        sfn.send_task_success(taskToken=message["taskToken"], output=json.dumps(review))


def main() -> int:
    sfn = stepfiber.client()
    inbox: "queue.Queue[dict]" = queue.Queue()
    sfn.register_task_handler(SQS_SEND, fake_sqs_handler(inbox))

    definition = (HERE / "moderation.asl.json").read_text()
    machine = sfn.create_state_machine(
        name="content-moderation",
        definition=definition,
        roleArn="arn:aws:iam::123456789012:role/moderation",
    )["stateMachineArn"]

    started = time.perf_counter()
    arns = {}
    for post in POSTS:
        arns[post["postId"]] = sfn.start_execution(
            stateMachineArn=machine, name=f"post-{post['postId']}", input=json.dumps(post)
        )["executionArn"]

    needs_review = [p for p in POSTS if "spam" not in p["text"] and "free money" not in p["text"]]
    decisions: dict = {}
    worker = threading.Thread(target=moderator, args=(sfn, inbox, len(needs_review), decisions))
    worker.start()
    worker.join()
    sfn.wait_for_all(timeout=30)
    elapsed = time.perf_counter() - started

    print(f"Moderated {len(POSTS)} posts in {elapsed * 1000:.1f} ms\n")
    print(f"{'post':<5} {'status':<10} {'outcome':<16} text")
    print("-" * 72)
    for post in POSTS:
        d = sfn.describe_execution(executionArn=arns[post["postId"]])
        if d["status"] == "SUCCEEDED":
            outcome = json.loads(d["output"])["status"]
        else:
            outcome = d.get("error", "")
        print(f"{post['postId']:<5} {d['status']:<10} {outcome:<16} {post['text']}")

    print("\nHistory of post p1 (approved by a moderator):")
    history = sfn.get_execution_history(executionArn=arns["p1"])
    for event in history["events"]:
        details = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
        name = details.get("name") or details.get("resource") or ""
        print(f"  {event['id']:>2} <- {event['previousEventId']:>2}  {event['type']:<22} {name}")

    sfn.close()
    expected_ok = {p["postId"] for p in needs_review if decisions.get(p["postId"]) == "approve"}
    return 0 if expected_ok and len(decisions) == len(needs_review) else 1


if __name__ == "__main__":
    sys.exit(main())
