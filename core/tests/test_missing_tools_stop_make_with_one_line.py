"""`make test` finds gettext and Chromium, installs them when it may, else stops with one line.

No test here downloads or installs anything: apt-get and Playwright's download are replaced by
stand-ins that record the command (the real ones would leave the machine)."""

import subprocess

import pytest

from core import tools


@pytest.fixture
def no_system_tools(monkeypatch, tmp_path):
    """A machine without Chromium or msgfmt where they are looked for, and no Playwright browser."""
    monkeypatch.setenv("CHORUS_CHROMIUM", str(tmp_path / "chromium"))
    monkeypatch.setenv("CHORUS_MSGFMT", str(tmp_path / "msgfmt"))
    monkeypatch.delenv("CHORUS_NO_APT", raising=False)
    monkeypatch.setattr(tools, "playwright_chromium", lambda: None)
    return tmp_path


@pytest.fixture
def commands(monkeypatch):
    """Every command the tools module runs, answered by ``commands.answer(argv) -> returncode``."""

    class Commands(list):
        def answer(self, argv):
            return 1

    ran = Commands()

    def run(argv, **kwargs):
        ran.append(list(argv))
        code = ran.answer(list(argv))
        return subprocess.CompletedProcess(argv, code, stdout="", stderr="Error: no network here\n  at stack")

    monkeypatch.setattr(tools.subprocess, "run", run)
    return ran


def _executable(path):
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return str(path)


def test_it_uses_the_chromium_named_by_the_environment(no_system_tools, commands):
    chromium = _executable(no_system_tools / "chromium")
    assert tools.ensure_chromium() == chromium
    assert commands == []  # found: nothing installed


def test_it_installs_debians_chromium_as_root(no_system_tools, commands, monkeypatch):
    monkeypatch.setattr(tools.os, "geteuid", lambda: 0)
    monkeypatch.setattr(tools.shutil, "which", lambda name: f"/usr/bin/{name}")

    def apt(argv):
        if argv[:2] == ["apt-get", "install"]:
            _executable(no_system_tools / "chromium")  # what the package would put in place
        return 0

    commands.answer = apt
    assert tools.ensure_chromium() == str(no_system_tools / "chromium")
    assert commands[0][:2] == ["apt-get", "update"]
    assert commands[1][:2] == ["apt-get", "install"] and commands[1][-1] == "chromium"


def test_it_tries_playwrights_browser_when_apt_may_not_run(no_system_tools, commands, monkeypatch, capsys):
    monkeypatch.setenv("CHORUS_NO_APT", "1")
    assert tools.main(["chromium"]) == 1
    assert [c[-3:] for c in commands] == [["playwright", "install", "chromium"]]  # and no apt-get
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1
    assert "apt-get install chromium" in errors[0] and "CHORUS_CHROMIUM" in errors[0]
    assert str(no_system_tools / "chromium") in errors[0] and "CHORUS_NO_APT" in errors[0]


def test_it_stops_with_one_line_without_root(no_system_tools, commands, monkeypatch, capsys):
    monkeypatch.setattr(tools.os, "geteuid", lambda: 1000)
    assert tools.main(["gettext", "chromium"]) == 1  # stops at the first missing tool
    assert commands == []  # no apt-get as a user, nothing else to try for gettext
    (error,) = [line for line in capsys.readouterr().err.splitlines() if line.startswith("ERROR")]
    assert "gettext is missing" in error and "apt-get install gettext" in error and "not root" in error


def test_it_finds_msgfmt_named_by_the_environment(no_system_tools, commands):
    msgfmt = _executable(no_system_tools / "msgfmt")
    assert tools.main(["gettext"]) == 0
    assert tools.msgfmt() == msgfmt and commands == []


def test_it_uses_the_xgettext_beside_the_msgfmt_named_by_the_environment(no_system_tools, commands):
    _executable(no_system_tools / "msgfmt")
    xgettext = _executable(no_system_tools / "xgettext")
    assert tools.xgettext() == xgettext


def test_it_stops_with_one_line_when_gettext_lacks_xgettext(no_system_tools, commands, monkeypatch, capsys):
    """The catalog test extracts strings with xgettext: a msgfmt alone is not enough gettext."""
    _executable(no_system_tools / "msgfmt")
    monkeypatch.setenv("PATH", str(no_system_tools))
    monkeypatch.setenv("CHORUS_NO_APT", "1")
    assert tools.main(["gettext"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "xgettext" in err[0] and "apt-get install gettext" in err[0]
