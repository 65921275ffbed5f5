"""Regenerates the pictures in docs/ with the project's own code (stepfiber.viz).

    python docs/make_pictures.py

Needs the viz extra (``pip install '.[viz]'``) and Graphviz's ``dot``.
"""

from __future__ import annotations

import json
import pathlib

import stepfiber
from stepfiber import viz

DOCS = pathlib.Path(__file__).resolve().parent
MODERATION = DOCS.parent / "examples" / "moderation.asl.json"
ROLE = "arn:aws:iam::123456789012:role/moderation"


def main() -> None:
    """Writes moderation-graph, moderation-execution and moderation-census (.svg and .png)."""
    definition = MODERATION.read_text(encoding="utf-8")
    picture = viz.graph(MODERATION)
    for suffix in (".svg", ".png"):
        picture.save(DOCS / f"moderation-graph{suffix}")
    with stepfiber.client(manual_clock=True) as sfn:
        machine = sfn.create_state_machine(name="content-moderation", definition=definition,
                                           roleArn=ROLE)["stateMachineArn"]
        posts = [("p1", "Hello world"), ("p2", "free money for everyone"), ("p3", "You are all idiots")]
        posts += [(f"q{i}", f"post number {i}") for i in range(40)]
        arns = {}
        for post_id, text in posts:
            arns[post_id] = sfn.start_execution(stateMachineArn=machine, name=f"post-{post_id}",
                                                input=json.dumps({"postId": post_id, "text": text}))["executionArn"]
        sfn.advance_clock(95)
        for task in sfn.list_pending_tasks():
            body = task["parameters"]["MessageBody"]
            if body["postId"] in ("p1", "p3"):
                rude = "idiot" in body["text"]
                review = {"decision": "reject" if rude else "approve", "moderator": "alice"}
                if rude:
                    review["reason"] = "Insulting language"
                sfn.send_task_success(taskToken=task["taskToken"], output=json.dumps(review))
        view = viz.execution(sfn, arns["p1"])
        census = viz.census(sfn, machine)
        waiting = viz.execution(sfn, arns["q0"])
        for suffix in (".svg", ".png"):
            view.save(DOCS / f"moderation-execution{suffix}")
            census.save(DOCS / f"moderation-census{suffix}")
            waiting.save(DOCS / f"moderation-waiting{suffix}")
    print("wrote", ", ".join(sorted(p.name for p in DOCS.glob("moderation-*"))))


if __name__ == "__main__":
    main()
