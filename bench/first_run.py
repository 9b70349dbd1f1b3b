"""`make run` from a fresh clone to the first 200 from the demo workspace, and `make test` wall time.

Usage: .venv/bin/python bench/first_run.py [--cold] [--test]
  --cold   use an empty pip cache (PIP_CACHE_DIR in a temporary directory): downloads everything
  --test   also time `make test` in the same clone
Clones the current repository's HEAD into a temporary directory, so it measures what is committed.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status(port: int, host: str) -> int | None:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/accounts/login/", headers={"Host": host})
        return conn.getresponse().status
    except OSError:
        return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cold", action="store_true")
    parser.add_argument("--test", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="chorus-", dir="/tmp") as tmp:
        clone = Path(tmp) / "c"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        env = {**os.environ, "PORT": str(free_port())}
        env.pop("VIRTUAL_ENV", None)
        if args.cold:
            env["PIP_CACHE_DIR"] = str(Path(tmp) / "pip-cache")
        for label in ("fresh clone", "already installed"):
            started = time.perf_counter()
            proc = subprocess.Popen(
                ["make", "run"],
                cwd=clone,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            deadline = started + 900
            while status(int(env["PORT"]), "demo.localhost") != 200:
                if proc.poll() is not None or time.perf_counter() > deadline:
                    raise SystemExit(f"make run did not serve the demo workspace ({label})")
                time.sleep(0.2)
            elapsed = time.perf_counter() - started
            print(
                f"make run, {label}{' (empty pip cache)' if args.cold and label == 'fresh clone' else ''}: "
                f"first 200 after {elapsed:.1f} s"
            )
            os.killpg(proc.pid, signal.SIGINT)
            proc.wait(timeout=60)
        if args.test:
            started = time.perf_counter()
            result = subprocess.run(["make", "test"], cwd=clone, env=env, capture_output=True, text=True)
            lines = result.stdout.strip().splitlines()
            tail = " ".join([ln for ln in lines if ln.startswith("FAILED")] + lines[-1:])
            print(f"make test: {time.perf_counter() - started:.1f} s, exit {result.returncode}, {tail}")


if __name__ == "__main__":
    main()
