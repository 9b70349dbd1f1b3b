"""The programs outside Python that `make run` and `make test` need, found or installed here.

- ``msgfmt`` (GNU gettext) compiles the translations; without it Slovenian pages are English.
- Chromium drives the browser tests (Playwright).

``python -m core.tools gettext chromium`` makes sure both are there: it uses what is installed,
else installs Debian's package when it may (root with apt-get, unless ``CHORUS_NO_APT=1``), else for
Chromium tries Playwright's own browser (``python -m playwright install chromium``), else stops
with one line that says what to install and exits 1. Nothing is skipped silently.

Paths can be set by environment: ``CHORUS_CHROMIUM`` (default ``/usr/bin/chromium``) and
``CHORUS_MSGFMT`` (default: ``msgfmt`` on ``PATH``). The browser tests resolve their Chromium with
:func:`chromium` too, so they use what this module found. Standard library only: runs before Django
is configured, and imports no app.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

DEBIAN_CHROMIUM = "/usr/bin/chromium"


class Missing(RuntimeError):
    """A tool is not there and could not be installed; the message says what to install."""


def _executable(path: str | None) -> str | None:
    return path if path and os.path.isfile(path) and os.access(path, os.X_OK) else None


def _apt_refusal() -> str | None:
    """Why apt-get may not be used here, or None when it may."""
    if os.environ.get("CHORUS_NO_APT", "") not in ("", "0"):
        return "CHORUS_NO_APT is set"
    if not shutil.which("apt-get"):
        return "there is no apt-get"
    if os.geteuid() != 0:
        return "not root"
    return None


def _apt_install(package: str) -> bool:
    print(f"Installing Debian's {package} with apt-get ...", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    update = subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)  # noqa: S607
    if update.returncode != 0:
        return False
    install = subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", package],  # noqa: S607
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
    )
    return install.returncode == 0


# --- gettext ------------------------------------------------------------------------------------


def msgfmt() -> str | None:
    """The msgfmt to use, or None."""
    override = os.environ.get("CHORUS_MSGFMT")
    if override:
        return _executable(override)
    return shutil.which("msgfmt")


def xgettext() -> str | None:
    """gettext's xgettext (the catalog test extracts strings with it): beside msgfmt, else on PATH."""
    found = msgfmt()
    if found:
        sibling = _executable(os.path.join(os.path.dirname(found), "xgettext"))
        if sibling:
            return sibling
    return shutil.which("xgettext")


def ensure_msgfmt() -> str:
    found = msgfmt()
    if found and xgettext():
        return found
    refusal = _apt_refusal()
    if refusal is None and _apt_install("gettext"):
        found = msgfmt()
        if found and xgettext():
            return found
    where = os.environ.get("CHORUS_MSGFMT") or "msgfmt on PATH"
    raise Missing(
        f"gettext is missing ({where} or its xgettext not found; apt-get not used: {refusal or 'it failed'}): "
        "install it with `sudo apt-get install gettext` (or set CHORUS_MSGFMT=/path/to/msgfmt)."
    )


# --- Chromium -----------------------------------------------------------------------------------


def chromium_path() -> str:
    """Where the system Chromium is expected: ``CHORUS_CHROMIUM`` or Debian's path."""
    return os.environ.get("CHORUS_CHROMIUM") or DEBIAN_CHROMIUM


def playwright_chromium() -> str | None:
    """Playwright's own Chromium if it has been downloaded (``playwright install chromium``)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    try:
        with sync_playwright() as p:
            return _executable(p.chromium.executable_path)
    except Exception:  # noqa: BLE001 - no driver, no browser: not found either way
        return None


def chromium() -> str | None:
    """The Chromium to drive: the system one at :func:`chromium_path`, else Playwright's, else None."""
    return _executable(chromium_path()) or playwright_chromium()


def ensure_chromium() -> str:
    found = chromium()
    if found:
        return found
    refusal = _apt_refusal()
    if refusal is None and _apt_install("chromium"):
        found = chromium()
        if found:
            return found
    print("Trying Playwright's own Chromium: python -m playwright install chromium ...", file=sys.stderr)
    downloaded = subprocess.run(
        [sys.executable, "-m", "playwright", "install", "chromium"], check=False, capture_output=True, text=True
    )
    if downloaded.returncode == 0:
        found = chromium()
        if found:
            return found
    else:  # its output is a page of retries and stack traces: its first error says enough
        lines = [line.strip() for line in (downloaded.stderr + downloaded.stdout).splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("Error")] or lines or [f"exit {downloaded.returncode}"]
        print(f"  failed: {errors[0]}", file=sys.stderr)
    raise Missing(
        f"Chromium is missing for the browser tests ({chromium_path()} not found; apt-get not used: "
        f"{refusal or 'it failed'}; Playwright's download failed): install it with "
        "`sudo apt-get install chromium` (or set CHORUS_CHROMIUM=/path/to/chromium)."
    )


ENSURE = {"gettext": ensure_msgfmt, "chromium": ensure_chromium}


def main(argv: list[str]) -> int:
    names = argv or list(ENSURE)
    unknown = [n for n in names if n not in ENSURE]
    if unknown:
        print(f"core.tools: unknown tool {', '.join(unknown)} (known: {', '.join(ENSURE)})", file=sys.stderr)
        return 2
    for name in names:
        try:
            ENSURE[name]()
        except Missing as exc:
            print(f"ERROR: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
