"""``python -m stepfiber bench``: start many executions, park them on task
tokens, complete them with a chosen mix and rate, and report memory,
throughput and latency.

The phases:

1. **start**: ``start_executions`` in batches; start rate, and RSS added per
   parked execution (process RSS, so it includes everything the engine keeps).
2. **complete**: every parked token gets its outcome from the mix --
   ``success``, ``failure``, ``heartbeat`` (a heartbeat, then success),
   ``timeout`` (no answer: the engine clock is then advanced past the
   task's HeartbeatSeconds, so the heartbeat timeout fails it) or ``stop``
   (StopExecution while parked). Unlimited rate uses the batch APIs;
   ``--rate R`` sends single calls paced at R per second.
3. **reconcile**: every execution must have ended exactly once with the
   status its outcome implies, with nothing left running, no open token and
   no live fiber.
4. **expire**: the engine clock moves past the 90-day retention of closed
   executions; every record must be purged, and the RSS left above the
   baseline shows what memory did not return.

Latency is measured inside the engine, from the moment a ``send_task_*``
call starts (caller's thread) to the moment the task's fiber resumes.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from .client import DEFAULT_RETENTION, SFNClient, client

#: The built-in callback workflow: one .waitForTaskToken task, then a Pass.
BUILTIN_DEFINITION: dict[str, Any] = {
    "Comment": "stepfiber bench: park on a task token, then finish",
    "StartAt": "Wait for callback",
    "States": {
        "Wait for callback": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/bench",
                           "MessageBody": {"token.$": "$$.Task.Token", "n.$": "$.n"}},
            "HeartbeatSeconds": 600,
            "TimeoutSeconds": 3600,
            "ResultPath": "$.result",
            "Next": "Done",
        },
        "Done": {"Type": "Pass", "End": True},
    },
}
#: Past the built-in task's HeartbeatSeconds (600): unanswered tasks time out.
TIMEOUT_ADVANCE_SECONDS = 601
OUTCOMES = ("success", "failure", "heartbeat", "timeout", "stop")
EXPECTED_STATUS = {"success": "SUCCEEDED", "heartbeat": "SUCCEEDED", "failure": "FAILED", "timeout": "FAILED",
                   "stop": "ABORTED"}


def rss_bytes() -> int:
    """Resident set size of this process (Linux /proc)."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class Progress:
    """A progress bar for one phase: ``tqdm.auto`` (a widget in notebooks, a bar on
    stderr in a terminal); silent when quiet or when tqdm is not installed."""

    def __init__(self, label: str, total: int, quiet: bool) -> None:
        self.bar = None
        self.done = 0
        if quiet:
            return
        try:
            with warnings.catch_warnings():
                # In a notebook without ipywidgets tqdm.auto warns, then draws a text bar.
                warnings.simplefilter("ignore")
                from tqdm.auto import tqdm
        except ImportError:  # the bench extra brings it; without it, no bar
            return
        self.bar = tqdm(total=max(total, 1), desc=f"{label:<9}", unit="exec", unit_scale=True, leave=True,
                        mininterval=0.1, dynamic_ncols=True)

    def update(self, done: int) -> None:
        """Moves the bar to ``done`` (absolute); closes it at the total."""
        if self.bar is None:
            return
        self.bar.update(done - self.done)
        self.done = done
        if done >= self.bar.total:
            self.close()

    def close(self) -> None:
        """Ends the bar (idempotent)."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def parse_mix(text: str) -> dict[str, float]:
    """``success=90,failure=5,heartbeat=3,timeout=2`` -> fractions summing to 1."""
    weights: dict[str, float] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in OUTCOMES:
            raise argparse.ArgumentTypeError(f"unknown outcome {name!r} in --mix (use {', '.join(OUTCOMES)})")
        try:
            weights[name] = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"--mix: {name} needs a number, got {value!r}") from None
        if weights[name] < 0:
            raise argparse.ArgumentTypeError(f"--mix: {name} must not be negative")
    total = sum(weights.values())
    if total <= 0:
        raise argparse.ArgumentTypeError("--mix needs at least one positive weight")
    return {k: v / total for k, v in weights.items()}


def assign_outcomes(n: int, mix: dict[str, float], seed: int) -> list[str]:
    """Exactly ``round(n * share)`` of each outcome (remainder to the largest), shuffled."""
    counts = {k: int(n * share) for k, share in mix.items()}
    largest = max(mix, key=lambda k: mix[k])
    counts[largest] += n - sum(counts.values())
    outcomes = [k for k, c in counts.items() for _ in range(c)]
    random.Random(seed).shuffle(outcomes)
    return outcomes


def percentiles(samples_ns: Sequence[int]) -> dict[str, float]:
    """p50/p90/p99/max in microseconds (nearest-rank)."""
    if not samples_ns:
        return {}
    ordered = sorted(samples_ns)

    def rank(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, math.ceil(p * len(ordered)) - 1))] / 1000.0

    return {"p50_us": rank(0.50), "p90_us": rank(0.90), "p99_us": rank(0.99), "max_us": ordered[-1] / 1000.0,
            "samples": len(ordered)}


@dataclass
class Report:
    """Everything the run measured (the --json output)."""

    executions: int
    start_seconds: float = 0.0
    starts_per_second: float = 0.0
    rss_baseline_bytes: int = 0
    rss_parked_bytes: int = 0
    rss_per_parked_execution: float = 0.0
    rss_after_bytes: int = 0
    rss_expired_bytes: int = 0
    purged: int = 0
    stack_bytes_per_parked_fiber: float = 0.0
    complete_seconds: float = 0.0
    completions_per_second: float = 0.0
    mode: str = "batch"
    latency: dict[str, float] = field(default_factory=dict)
    expected: dict[str, int] = field(default_factory=dict)
    actual: dict[str, int] = field(default_factory=dict)
    leftovers: dict[str, int] = field(default_factory=dict)
    reconciled: bool = False
    timeline: list[tuple[float, int]] = field(default_factory=list)
    #: Taken during the complete phase: seconds, completed, RSS and executions by status.
    samples: list[dict[str, float]] = field(default_factory=list)
    latencies_ns: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data.pop("latencies_ns")
        return data


def run(args: argparse.Namespace | None = None, *, executions: int = 100_000,
        mix: str | Mapping[str, float] = "success=1", rate: float = 0.0, batch: int = 10_000, seed: int = 1,
        definition: str | None = None, quiet: bool = False, live: bool = False,
        live_every: float = 0.5) -> BenchResult:
    """Run the load test; the Python API of ``python -m stepfiber bench``.

    ``executions`` are started and parked, then completed with ``mix``
    (``"success=90,failure=4,heartbeat=3,timeout=2,stop=1"`` or a dict of
    weights) as batches, or as single calls paced at ``rate`` per second.
    ``definition`` is an ASL file whose executions each park on one
    ``.waitForTaskToken`` task (default: a built-in workflow). With
    ``live=True`` (in a notebook) the census of the machine
    (:func:`stepfiber.viz.live`) is shown and updated every ``live_every``
    seconds while the executions complete. Returns a :class:`BenchResult`:
    ``.summary`` (the ``--json`` figures), ``.plot()`` (matplotlib figures) and
    an HTML table in notebooks. Raises ValueError for bad arguments.
    ``args`` (parsed command-line options) replaces the keywords.
    """
    if args is None:
        if isinstance(mix, str):
            try:
                mix_shares = parse_mix(mix)
            except argparse.ArgumentTypeError as e:
                raise ValueError(str(e)) from None
        elif isinstance(mix, Mapping):
            mix_shares = parse_mix(",".join(f"{k}={v}" for k, v in mix.items()))
        else:
            raise TypeError(f"mix must be a string like 'success=90,failure=10' or a dict, not {type(mix).__name__}")
        args = argparse.Namespace(executions=executions, mix=mix_shares, rate=rate, batch=batch, seed=seed,
                                  definition=definition, quiet=quiet, json=False, plot=None)
        _check_args(args, ValueError)
    args.live = getattr(args, "live", False) or live
    args.live_every = getattr(args, "live_every", live_every)
    definition_value = BUILTIN_DEFINITION
    if args.definition:
        with open(args.definition, encoding="utf-8") as f:
            definition_value = json.load(f)
    report = Report(executions=args.executions)
    outcomes = assign_outcomes(args.executions, args.mix, args.seed)
    sfn = client(manual_clock=True)
    try:
        arn = sfn.create_state_machine(name="bench", definition=json.dumps(definition_value),
                                       roleArn="arn:aws:iam::123456789012:role/bench")["stateMachineArn"]
        _start_phase(sfn, arn, args, report)
        refs = sfn._engine.pending_task_refs()
        tokens = [token for token, _ in refs]
        if len(tokens) != args.executions:
            raise SystemExit(f"bench: expected {args.executions:,} parked tasks, found {len(tokens):,}; "
                             "the definition must park each execution on one .waitForTaskToken task")
        if args.live:
            _complete_live(sfn, arn, refs, outcomes, args, report)
        else:
            _complete_phase(sfn, refs, outcomes, args, report)
        del refs, tokens  # the bench's own lists are not engine memory
        _reconcile(sfn, outcomes, report)
        _expire(sfn, report)
    finally:
        sfn.close()
    return BenchResult(report)


def _check_args(args: argparse.Namespace, error: type[Exception]) -> None:
    """Range checks shared by the command line (SystemExit) and run() (ValueError)."""
    if isinstance(args.executions, bool) or not isinstance(args.executions, int) or args.executions < 1:
        raise error("bench: executions must be an integer of at least 1")
    if isinstance(args.batch, bool) or not isinstance(args.batch, int) or args.batch < 1:
        raise error("bench: batch must be an integer of at least 1")
    if isinstance(args.rate, bool) or not isinstance(args.rate, (int, float)) or args.rate < 0:
        raise error("bench: rate must be a number of completions per second, not negative")


def _complete_live(sfn: SFNClient, arn: str, refs: list[tuple[str, str]], outcomes: list[str],
                   args: argparse.Namespace, report: Report) -> None:
    """The complete phase on a thread while the notebook shows the live census."""
    import threading

    from . import viz

    failure: list[BaseException] = []

    def body() -> None:
        try:
            _complete_phase(sfn, refs, outcomes, args, report)
        except BaseException as e:  # re-raised on the caller's thread
            failure.append(e)

    worker = threading.Thread(target=body, name="stepfiber-bench-complete", daemon=True)
    worker.start()
    # Until nothing is RUNNING (the last picture then shows every state empty),
    # or until the worker fails.
    viz.live(sfn, arn, every=args.live_every, stop=lambda: bool(failure))
    worker.join()
    if failure:
        raise failure[0]


def _start_phase(sfn: SFNClient, arn: str, args: argparse.Namespace, report: Report) -> None:
    progress = Progress("start", args.executions, args.quiet)
    report.rss_baseline_bytes = rss_bytes()
    t0 = time.perf_counter()
    done = 0
    while done < args.executions:
        count = min(args.batch, args.executions - done)
        result = sfn.start_executions(stateMachineArn=arn, inputs=[f'{{"n":{done + i}}}' for i in range(count)])
        if result["failures"]:
            raise SystemExit(f"bench: start failed: {result['failures'][0]}")
        done += count
        progress.update(done)
    progress.close()
    report.start_seconds = time.perf_counter() - t0
    report.starts_per_second = args.executions / report.start_seconds
    report.rss_parked_bytes = rss_bytes()
    report.rss_per_parked_execution = (report.rss_parked_bytes - report.rss_baseline_bytes) / args.executions
    stats = sfn.engine_stats()
    report.stack_bytes_per_parked_fiber = stats["stack_resident_bytes"] / max(1, stats["stacks_in_use"])


def _sample(sfn: SFNClient, report: Report, t0: float, completed: int) -> None:
    """One point of the time series: completions, RSS and executions by status."""
    stats = sfn.engine_stats(scan=False)  # counters only: no walk over a million timers per sample
    report.samples.append({"t": time.perf_counter() - t0, "completed": completed, "rss_bytes": rss_bytes(),
                           "running": stats["running"], "succeeded": stats["succeeded"],
                           "failed": stats["failed"], "timed_out": stats["timed_out"], "aborted": stats["aborted"]})


def _complete_phase(sfn: SFNClient, refs: list[tuple[str, str]], outcomes: list[str], args: argparse.Namespace,
                    report: Report) -> None:
    sfn._engine.take_resume_latencies_ns()  # start measuring now
    tokens = [token for token, _ in refs]
    progress = Progress("complete", len(tokens), args.quiet)
    t0 = time.perf_counter()
    _sample(sfn, report, t0, 0)
    for (_, arn), outcome in zip(refs, outcomes):
        if outcome == "stop":
            sfn.stop_execution(executionArn=arn, error="Bench.Stop", cause="stopped while parked")
    beats = [t for t, o in zip(tokens, outcomes) if o == "heartbeat"]
    for token in beats:
        sfn.send_task_heartbeat(taskToken=token)
    if args.rate:
        report.mode = f"single calls at {args.rate:,.0f}/s"
        _complete_single(sfn, tokens, outcomes, args.rate, progress, report, t0)
    else:
        report.mode = f"batches of {args.batch:,}"
        _complete_batched(sfn, tokens, outcomes, args.batch, progress, report, t0)
    progress.close()
    if "timeout" in outcomes:
        sfn.advance_clock(TIMEOUT_ADVANCE_SECONDS)
    sfn.wait_for_all(timeout=600)
    report.complete_seconds = time.perf_counter() - t0
    _sample(sfn, report, t0, len(tokens))
    report.completions_per_second = len(tokens) / report.complete_seconds
    report.latencies_ns = list(sfn._engine.take_resume_latencies_ns())
    report.latency = percentiles(report.latencies_ns)


def _complete_batched(sfn: SFNClient, tokens: list[str], outcomes: list[str], batch: int, progress: Progress,
                      report: Report, t0: float) -> None:
    output = json.dumps({"approved": True})
    for start in range(0, len(tokens), batch):
        chunk = range(start, min(start + batch, len(tokens)))
        ok = [{"taskToken": tokens[i], "output": output} for i in chunk if outcomes[i] in ("success", "heartbeat")]
        bad = [{"taskToken": tokens[i], "error": "Rejected", "cause": "bench"} for i in chunk if outcomes[i] == "failure"]
        failures = (sfn.send_task_success_batch(tasks=ok)["failures"] if ok else []) + \
                   (sfn.send_task_failure_batch(tasks=bad)["failures"] if bad else [])
        if failures:
            raise SystemExit(f"bench: completion failed: {failures[0]}")
        progress.update(chunk.stop)
        report.timeline.append((time.perf_counter() - t0, chunk.stop))
        _sample(sfn, report, t0, chunk.stop)


def _complete_single(sfn: SFNClient, tokens: list[str], outcomes: list[str], rate: float, progress: Progress,
                     report: Report, t0: float) -> None:
    output = json.dumps({"approved": True})
    interval = 1.0 / rate
    next_at = time.perf_counter()
    for i, (token, outcome) in enumerate(zip(tokens, outcomes)):
        if outcome in ("success", "heartbeat"):
            sfn.send_task_success(taskToken=token, output=output)
        elif outcome == "failure":
            sfn.send_task_failure(taskToken=token, error="Rejected", cause="bench")
        next_at += interval
        delay = next_at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        if i % 1000 == 999 or i == len(tokens) - 1:
            progress.update(i + 1)
            report.timeline.append((time.perf_counter() - t0, i + 1))
            if i % 5000 == 4999 or i == len(tokens) - 1:
                _sample(sfn, report, t0, i + 1)


def _reconcile(sfn: SFNClient, outcomes: list[str], report: Report) -> None:
    expected: dict[str, int] = {}
    for o in outcomes:
        expected[EXPECTED_STATUS[o]] = expected.get(EXPECTED_STATUS[o], 0) + 1
    stats = sfn.engine_stats()
    actual = {"SUCCEEDED": stats["succeeded"], "FAILED": stats["failed"], "TIMED_OUT": stats["timed_out"],
              "ABORTED": stats["aborted"], "RUNNING": stats["running"]}
    report.expected = expected
    report.actual = {k: v for k, v in actual.items() if v}
    report.leftovers = {"open_tokens": stats["open_tokens"], "live_fibers": stats["live_fibers"],
                        "pending_timers": stats["pending_timers"], "stacks_in_use": stats["stacks_in_use"]}
    report.rss_after_bytes = rss_bytes()
    report.reconciled = (
        all(actual.get(k, 0) == v for k, v in expected.items())
        and sum(actual.values()) == len(outcomes)
        and all(v == 0 for v in report.leftovers.values())
    )


def _expire(sfn: SFNClient, report: Report) -> None:
    sfn.advance_clock(DEFAULT_RETENTION.total_seconds() + 1)
    stats = sfn.engine_stats()
    report.purged = stats["purged"]
    report.rss_expired_bytes = rss_bytes()
    if stats["executions"] != 0 or report.purged != report.executions:
        report.reconciled = False


def summary(report: Report) -> str:
    """The human-readable table."""
    lat = report.latency
    rows = [
        ("executions", f"{report.executions:,}"),
        ("start rate", f"{report.starts_per_second:,.0f} executions/s ({report.start_seconds:.2f} s)"),
        ("parked RSS per execution", f"{report.rss_per_parked_execution:,.0f} B "
                                     f"(fiber stack: {report.stack_bytes_per_parked_fiber:,.0f} B)"),
        ("completion rate", f"{report.completions_per_second:,.0f} /s ({report.mode})"),
    ]
    if lat:
        rows.append(("latency send -> resumed",
                     f"p50 {lat['p50_us']:,.1f} us  p90 {lat['p90_us']:,.1f} us  "
                     f"p99 {lat['p99_us']:,.1f} us  max {lat['max_us']:,.1f} us  ({lat['samples']:,} samples)"))
    exp = ", ".join(f"{k} {v:,}" for k, v in sorted(report.expected.items()))
    act = ", ".join(f"{k} {v:,}" for k, v in sorted(report.actual.items()))
    verdict = "OK: every execution ended once with its expected status" if report.reconciled else "MISMATCH"
    left = ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in report.leftovers.items())
    rows.append(("reconciliation", f"expected {exp}; got {act}; {left} -> {verdict}"))
    rows.append(("RSS after completion", f"{(report.rss_after_bytes - report.rss_baseline_bytes) / report.executions:,.0f} B "
                                         "per execution above the baseline (closed executions are kept 90 days)"))
    rows.append(("RSS after 90-day expiry", f"{(report.rss_expired_bytes - report.rss_baseline_bytes) / 2**20:+,.1f} MiB "
                                            f"against the baseline ({report.purged:,} executions purged)"))
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def _pyplot() -> Any:
    try:
        import matplotlib

        if "ipykernel" not in sys.modules:
            matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("bench plots need matplotlib: pip install 'stepfiber[bench]' (or pip install matplotlib)"
                          ) from None
    return plt


def figures(report: Report) -> dict[str, Any]:
    """The report's matplotlib figures, by name: ``latency`` (histogram with p50/p90/p99
    marked), ``timeline`` (completions and RSS over time) and ``status`` (executions by
    status over time). Figures with no data are left out."""
    plt = _pyplot()
    out: dict[str, Any] = {}
    if report.latencies_ns:
        fig, ax = plt.subplots(figsize=(8, 4))
        us = [x / 1000.0 for x in report.latencies_ns]
        ax.hist(us, bins=100, log=True, color="#60a5fa")
        for key, colour in (("p50_us", "#16a34a"), ("p90_us", "#d97706"), ("p99_us", "#dc2626")):
            if key in report.latency:
                ax.axvline(report.latency[key], color=colour, linestyle="--",
                           label=f"{key[:-3]} {report.latency[key]:,.1f} us")
        ax.set_xlabel("send_task_* -> fiber resumed (us)")
        ax.set_ylabel("completions")
        ax.set_title(f"stepfiber latency, {report.executions:,} executions")
        ax.legend()
        fig.tight_layout()
        out["latency"] = fig
    if report.samples or report.timeline:
        fig, ax = plt.subplots(figsize=(8, 4))
        if report.samples:
            ax.plot([s["t"] for s in report.samples], [s["completed"] for s in report.samples], color="#2563eb",
                    label="completed")
        else:
            ax.plot([t for t, _ in report.timeline], [n for _, n in report.timeline], color="#2563eb",
                    label="completed")
        ax.set_xlabel("seconds since the first completion")
        ax.set_ylabel("completed")
        ax.set_title("completions and RSS over time")
        if report.samples:
            ax2 = ax.twinx()
            ax2.plot([s["t"] for s in report.samples], [s["rss_bytes"] / 2**20 for s in report.samples],
                     color="#dc2626", label="RSS (MiB)")
            ax2.set_ylabel("RSS (MiB)")
            lines = ax.get_lines() + ax2.get_lines()
            ax.legend(lines, [line.get_label() for line in lines], loc="center right")
        fig.tight_layout()
        out["timeline"] = fig
    if report.samples:
        fig, ax = plt.subplots(figsize=(8, 4))
        ts = [s["t"] for s in report.samples]
        for key, colour in (("running", "#2563eb"), ("succeeded", "#16a34a"), ("failed", "#dc2626"),
                            ("timed_out", "#d97706"), ("aborted", "#6b7280")):
            ax.plot(ts, [s[key] for s in report.samples], label=key.upper(), color=colour)
        ax.set_xlabel("seconds since the first completion")
        ax.set_ylabel("executions")
        ax.set_title("executions by status over time")
        ax.legend()
        fig.tight_layout()
        out["status"] = fig
    return out


def plot(report: Report, prefix: str) -> list[str]:
    """Write ``<prefix>-latency.png``, ``<prefix>-timeline.png`` and ``<prefix>-status.png``."""
    try:
        figs = figures(report)
    except ImportError:
        raise SystemExit("bench: --plot needs matplotlib (pip install matplotlib)") from None
    plt = _pyplot()
    written = []
    for name, fig in figs.items():
        fig.savefig(f"{prefix}-{name}.png")
        written.append(f"{prefix}-{name}.png")
        plt.close(fig)
    return written


class BenchResult:
    """What :func:`run` measured. ``summary`` is the ``--json`` dict, ``text`` the
    table the command prints, ``report`` the raw :class:`Report`; ``plot()``
    gives the matplotlib figures; notebooks show an HTML summary table."""

    def __init__(self, report: Report) -> None:
        self.report = report

    @property
    def summary(self) -> dict[str, Any]:
        """The figures ``--json`` prints."""
        return self.report.to_json()

    @property
    def reconciled(self) -> bool:
        """True when every execution ended once with its expected status and nothing was left."""
        return self.report.reconciled

    @property
    def text(self) -> str:
        """The human-readable table."""
        return summary(self.report)

    def plot(self) -> list[Any]:
        """Matplotlib figures: latency histogram (percentiles marked), completions and RSS
        over time, executions by status over time."""
        return list(figures(self.report).values())

    def _repr_html_(self) -> str:
        import html as _html

        rows = []
        for line in self.text.splitlines():
            key, _, value = line.partition("  ")
            rows.append(f"<tr><th style='text-align:left'>{_html.escape(key.strip())}</th>"
                        f"<td style='text-align:left'>{_html.escape(value.strip())}</td></tr>")
        return "<table class='stepfiber-bench'>" + "".join(rows) + "</table>"

    def __repr__(self) -> str:
        verdict = "reconciled" if self.report.reconciled else "MISMATCH"
        return f"<stepfiber.bench.BenchResult {self.report.executions:,} executions, {verdict}>"


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    """The ``bench`` command's options."""
    p = parser or argparse.ArgumentParser(prog="stepfiber bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--executions", "-n", type=int, default=100_000, help="executions to start and park (default 100,000)")
    p.add_argument("--definition", help="ASL JSON file; each execution must park on one .waitForTaskToken task "
                                        "(default: a built-in callback workflow)")
    p.add_argument("--mix", type=parse_mix, default=parse_mix("success=1"),
                   help="outcome weights over success, failure, heartbeat, timeout, stop, "
                        "e.g. success=90,failure=4,heartbeat=3,timeout=2,stop=1 (default: all success)")
    p.add_argument("--rate", type=float, default=0.0,
                   help="completions per second as single calls (default: unlimited, batch APIs)")
    p.add_argument("--batch", type=int, default=10_000, help="batch size for starts and completions")
    p.add_argument("--seed", type=int, default=1, help="seed for assigning outcomes")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--plot", metavar="PREFIX",
                   help="write PREFIX-latency.png, PREFIX-timeline.png and PREFIX-status.png")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m stepfiber bench`` and ``stepfiber-bench``."""
    args = build_parser().parse_args(argv)
    _check_args(args, SystemExit)
    report = run(args).report
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(summary(report))
    if args.plot:
        for path in plot(report, args.plot):
            print(f"wrote {path}", file=sys.stderr)
    return 0 if report.reconciled else 1


if __name__ == "__main__":
    sys.exit(main())
