"""The load-test tool (python -m stepfiber bench) runs and reconciles."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from stepfiber import bench


def test_bench_mix_reconciles_every_outcome(capsys: pytest.CaptureFixture[str]) -> None:
    code = bench.main(["--executions", "2000", "--mix", "success=60,failure=10,heartbeat=10,timeout=10,stop=10",
                       "--batch", "500", "--json", "--quiet"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["reconciled"] is True
    assert report["expected"] == {"SUCCEEDED": 1400, "FAILED": 400, "ABORTED": 200}
    assert report["actual"] == {"SUCCEEDED": 1400, "FAILED": 400, "ABORTED": 200}
    # Nothing left behind: tokens, fibers, timers (incl. cancelled ones) and stacks.
    assert report["leftovers"] == {"open_tokens": 0, "live_fibers": 0, "pending_timers": 0, "stacks_in_use": 0}
    assert report["rss_per_parked_execution"] > 0


def test_bench_single_calls_measure_latency(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["-n", "300", "--rate", "100000", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "latency send -> resumed" in out and "OK: every execution ended once" in out


def test_bench_rejects_bad_mix_and_counts() -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        bench.parse_mix("success=1,bogus=2")
    with pytest.raises(argparse.ArgumentTypeError):
        bench.parse_mix("success=0")
    with pytest.raises(SystemExit):
        bench.main(["--executions", "0"])


def test_assign_outcomes_gives_exact_shares() -> None:
    outcomes = bench.assign_outcomes(1000, bench.parse_mix("success=3,failure=1"), seed=5)
    assert outcomes.count("success") == 750 and outcomes.count("failure") == 250


def test_module_entry_point_runs() -> None:
    proc = subprocess.run([sys.executable, "-m", "stepfiber", "bench", "-n", "500", "--quiet"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "reconciliation" in proc.stdout
