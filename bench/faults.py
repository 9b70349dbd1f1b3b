"""Faults survived, measured (issue 12 §7): prints each recovery time.

    .venv/bin/python bench/faults.py [--runs N]

Worker kill: a real Celery worker's pool process SIGKILLed mid-answer (the fake provider holds the
answer mid-stream), time from the kill until the dead writer is noticed (its heartbeat expired and
the sweep redelivered the answer) and until the answer is finished by the new pool process. The
scenario is the test chat/tests/test_a_killed_worker_s_answer_is_finished_by_another.py (embedded
PostgreSQL and Redis under .data/test, everything on 127.0.0.1); the test writes its figures to the
file named by CHORUS_FAULTS_OUT. The sweep is called in a loop there; under beat it runs every 15 s,
so add up to 15 s (an open page's stream checks the heartbeat every 15 s of silence too).

Not measured yet: Redis restarted under running processes, PostgreSQL restarted (docs/FAULTS.md).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ["chat/tests/test_a_killed_worker_s_answer_is_finished_by_another.py"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "faults.jsonl"
        env = {**os.environ, "CHORUS_FAULTS_OUT": str(out)}
        for _ in range(args.runs):
            cmd = [sys.executable, "-m", "pytest", *TESTS, "-q", "-p", "no:randomly", "-p", "no:warnings"]
            done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
            if done.returncode != 0:
                print(done.stdout[-3000:], done.stderr[-2000:], file=sys.stderr)
                return 1
        rows = [json.loads(line) for line in out.read_text().splitlines()]
    for i, row in enumerate(rows, 1):
        print(f"worker SIGKILL run {i}: dead writer noticed after {row['noticed']:.1f} s, "
              f"answer finished after {row['finished']:.1f} s")  # fmt: skip
    noticed = sorted(r["noticed"] for r in rows)
    finished = sorted(r["finished"] for r in rows)
    print(f"worker SIGKILL: noticed max {noticed[-1]:.1f} s, finished max {finished[-1]:.1f} s over {len(rows)} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
