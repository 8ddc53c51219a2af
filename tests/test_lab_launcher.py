"""`make lab`: the launcher's command line, without a browser.

The browser test (tests/test_browser.py) starts the same script and drives
the lab it serves; these tests pin the choices it makes on the way.
"""

import subprocess
import sys
from pathlib import Path

import pytest

import lab  # tools/lab.py (tests/conftest.py puts tools/ on the path)

ROOT = Path(__file__).resolve().parents[1]


def make_dry_run(*args: str) -> list[str]:
    out = subprocess.run(["make", "-n", "lab", *args], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    return [line for line in out.splitlines() if "tools/lab.py" in line]


def test_make_lab_runs_the_shared_launcher_and_passes_lab_args():
    assert make_dry_run() == [".venv/bin/python tools/lab.py "]
    [line] = make_dry_run("LAB_ARGS=--port=9999 --ip=0.0.0.0")
    assert line.endswith("tools/lab.py --port=9999 --ip=0.0.0.0")


def test_the_server_serves_the_repository_and_starts_on_lesson_00():
    command = lab.lab_command([], as_root=False, browser=True)
    assert f"--ServerApp.root_dir={ROOT}" in command
    assert "--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb" in command
    assert (ROOT / lab.LESSON_00).exists()
    # Nothing that would hide the exercises: no file to run, no narrower root.
    assert not any(arg.endswith(".ipynb") and not arg.startswith("--") for arg in command)


@pytest.mark.parametrize("as_root", [True, False])
def test_root_gets_allow_root_and_nobody_else_does(as_root):
    command = lab.lab_command([], as_root=as_root, browser=True)
    assert ("--ServerApp.allow_root=True" in command) is as_root


@pytest.mark.parametrize("browser", [True, False])
def test_no_browser_is_opened_where_there_is_none(browser):
    command = lab.lab_command([], as_root=False, browser=browser)
    assert ("--ServerApp.open_browser=False" in command) is not browser


def test_a_learners_options_come_last_so_they_win():
    command = lab.lab_command(["--ServerApp.open_browser=True", "--port=9999"],
                              as_root=True, browser=False)
    assert command[-2:] == ["--ServerApp.open_browser=True", "--port=9999"]


@pytest.mark.parametrize("environ, platform, expected", [
    ({}, "linux", False),
    ({"DISPLAY": ":0"}, "linux", True),
    ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
    ({"BROWSER": "firefox"}, "linux", True),
    ({}, "darwin", True),
    ({}, "win32", True),
])
def test_a_browser_is_tried_only_where_one_can_open(environ, platform, expected):
    assert lab.can_open_browser(environ, platform) is expected


def test_the_ready_line_names_lesson_00_with_the_token():
    url = lab.lesson_url({"url": "http://localhost:8888/", "token": "t0k"})
    assert url == "http://localhost:8888/lab/tree/notebooks/00_start_here.ipynb?token=t0k"


def test_a_server_that_cannot_start_is_reported_not_waited_for(tmp_path):
    # A port that is not a number makes JupyterLab exit at once.
    env = {"HOME": str(tmp_path), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "lab.py"), "--port=not-a-port"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "stopped before it was ready" in done.stderr
    assert lab.READY not in done.stdout
