"""`make run`: set everything up, then serve the web app, a Celery worker and beat together.

Ctrl-C (or SIGTERM) stops the three processes and the embedded servers this run started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    sys.path.insert(0, str(BASE_DIR))
    import environ

    environ.Env.read_env(str(BASE_DIR / ".env"), overwrite=False)
    from core import embedded

    data_dir = Path(os.environ.get("CHORUS_DATA_DIR", BASE_DIR / ".data"))
    mine: list[str] = []
    if not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        services = embedded.ensure_services(
            data_dir, need_db=not os.environ.get("DATABASE_URL"), need_redis=not os.environ.get("REDIS_URL")
        )
        mine = embedded.started_by_me(data_dir)
        os.environ.setdefault("DATABASE_URL", services.database_url)
        os.environ.setdefault("REDIS_URL", services.redis_url)
        print(f"Embedded PostgreSQL and Redis under {data_dir} ({'started' if mine else 'already running'}).")

    py = sys.executable
    port = os.environ.get("PORT", "8000")
    host = os.environ.get("HOST", "127.0.0.1")
    children: list[subprocess.Popen] = []

    def stop(*_args) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        if mine:
            stopped = embedded.stop_services(data_dir, names=mine)
            print(f"Stopped {', '.join(stopped) or 'nothing'}.")

    # Install both handlers explicitly: a shell that starts us in the background may have set
    # SIGINT to "ignore", which Python would otherwise inherit.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        subprocess.run([py, "manage.py", "bootstrap", "--demo"], cwd=BASE_DIR, check=True)
        subprocess.run([py, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=BASE_DIR, check=True)
        children.append(
            subprocess.Popen(
                [
                    py,
                    "-m",
                    "uvicorn",
                    "config.asgi:application",
                    "--host",
                    host,
                    "--port",
                    port,
                    "--no-access-log",
                    "--timeout-graceful-shutdown",
                    "5",
                ],
                cwd=BASE_DIR,
                start_new_session=True,  # Ctrl-C reaches only this runner, which stops them in order
            )
        )
        children.append(
            subprocess.Popen(
                [
                    py,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "-l",
                    "warning",
                    "--concurrency",
                    "4",  # above GENERATIONS_PER_TENANT (2): one workspace's burst leaves processes free
                    "-Q",
                    "celery,orchestration,documents",
                ],
                cwd=BASE_DIR,
                start_new_session=True,  # Ctrl-C reaches only this runner, which stops them in order
            )
        )
        children.append(
            subprocess.Popen(
                [
                    py,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "beat",
                    "-l",
                    "warning",
                    "-s",
                    str(data_dir / "celerybeat-schedule"),
                ],
                cwd=BASE_DIR,
                start_new_session=True,  # Ctrl-C reaches only this runner, which stops them in order
            )
        )
        print(
            f"\n  Chorus is running:  http://localhost:{port}/\n"
            f"  Demo workspace:     http://demo.localhost:{port}/  (demo@example.com / chorus-demo-2026)\n"
            "  Press Ctrl-C to stop.\n",
            flush=True,
        )
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("A process exited; stopping the others.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping…")
        return 0
    except subprocess.CalledProcessError as exc:
        print(f"Set-up failed: {exc}", file=sys.stderr)
        return exc.returncode or 1
    finally:
        stop()


if __name__ == "__main__":
    sys.exit(main())
