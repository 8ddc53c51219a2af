"""Open the course in JupyterLab: ``make lab`` runs this script.

The server serves the whole repository, so ``notebooks/``, ``exercises/``
and ``solutions/`` can all be opened, and it starts on lesson 00. Once it
answers, the script prints one line with the address of lesson 00 and its
token, which is what a learner on a headless or remote machine needs.

- As root (Docker, devcontainers, many cloud machines) it passes
  ``--allow-root``, which JupyterLab otherwise demands.
- Where no browser can be opened (Linux with no display, and no ``BROWSER``
  set), it asks JupyterLab not to try: a text browser would take over the
  terminal.
- Any further arguments go to ``jupyter lab`` unchanged, after the script's
  own, so they win: ``make lab LAB_ARGS="--port=9999 --ip=0.0.0.0"``.

The browser test (``tests/test_browser.py``) starts JupyterLab through this
script too, so it tests what a learner runs.

Usage::

    python tools/lab.py [JUPYTER LAB OPTIONS ...]
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

__all__ = ["ROOT", "LESSON_00", "lab_command", "can_open_browser", "lesson_url",
           "wait_until_serving", "main"]

ROOT = Path(__file__).resolve().parents[1]
LESSON_00 = "notebooks/00_start_here.ipynb"
# Printed before the address, so tests and scripts can find the line.
READY = "dynamo-lab: open lesson 00 at"


def is_root() -> bool:
    """True when this process runs as the superuser (POSIX only)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def can_open_browser(environ: dict[str, str] | None = None,
                     platform: str | None = None) -> bool:
    """Whether JupyterLab should try to open a browser here.

    macOS and Windows always have one. On Linux and the BSDs a graphical
    browser needs a display; without one, Python's ``webbrowser`` would fall
    back to a text browser such as lynx inside the learner's terminal.
    ``BROWSER`` set by the user always counts.

    >>> can_open_browser({}, "linux")
    False
    >>> can_open_browser({"DISPLAY": ":0"}, "linux")
    True
    >>> can_open_browser({}, "darwin")
    True
    """
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if platform == "darwin" or platform.startswith("win") or environ.get("BROWSER"):
        return True
    return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


def lab_command(extra_args: list[str] = (), *, python: str = sys.executable,
                root: Path = ROOT, as_root: bool | None = None,
                browser: bool | None = None) -> list[str]:
    """The ``jupyter lab`` command line: the course's options, then ``extra_args``.

    >>> cmd = lab_command(["--port=9999"], python="python", root=Path("/course"),
    ...                   as_root=True, browser=False)
    >>> print(" ".join(cmd))  # doctest: +NORMALIZE_WHITESPACE
    python -m jupyterlab --ServerApp.root_dir=/course
    --LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb
    --ServerApp.allow_root=True --ServerApp.open_browser=False --port=9999
    """
    as_root = is_root() if as_root is None else as_root
    browser = can_open_browser() if browser is None else browser
    # The default URL is the one JupyterLab prints and opens, so a learner
    # lands on lesson 00 rather than on the Launcher, while the server's
    # root stays at the repository.
    command = [python, "-m", "jupyterlab", f"--ServerApp.root_dir={root}",
               f"--LabApp.default_url=/lab/tree/{LESSON_00}"]
    if as_root:
        command.append("--ServerApp.allow_root=True")
    if not browser:
        command.append("--ServerApp.open_browser=False")
    return command + list(extra_args)


def lesson_url(info: dict) -> str:
    """Lesson 00's address, from a server's ``jpserver-<pid>.json`` information.

    >>> lesson_url({"url": "http://localhost:8888/", "token": "abc"})
    'http://localhost:8888/lab/tree/notebooks/00_start_here.ipynb?token=abc'
    >>> lesson_url({"url": "http://localhost:8888/base/", "token": ""})
    'http://localhost:8888/base/lab/tree/notebooks/00_start_here.ipynb'
    """
    url = urllib.parse.urljoin(info["url"], f"lab/tree/{LESSON_00}")
    if info.get("token"):
        url += "?" + urllib.parse.urlencode({"token": info["token"]})
    return url


def _runtime_dir() -> Path:
    # Where every Jupyter server writes jpserver-<pid>.json (JUPYTER_RUNTIME_DIR
    # or the platform's default), read the way the server itself reads it.
    from jupyter_core.paths import jupyter_runtime_dir

    return Path(jupyter_runtime_dir())


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError, ValueError):
        return False


def wait_until_serving(process: subprocess.Popen, runtime_dir: Path,
                       poll_s: float = 0.2) -> dict | None:
    """Wait until the server has written its information file and answers.

    Returns that information, or ``None`` if the server exits first.
    """
    info_file = runtime_dir / f"jpserver-{process.pid}.json"
    while process.poll() is None:
        if info_file.exists():
            try:
                info = json.loads(info_file.read_text())
            except (OSError, ValueError):
                info = None  # caught half-written: look again
            if info is not None:
                status = urllib.parse.urljoin(info["url"], "api/status")
                if info.get("token"):
                    status += "?" + urllib.parse.urlencode({"token": info["token"]})
                if _answers(status):
                    return info
        time.sleep(poll_s)
    return None


def main(argv: list[str] | None = None) -> int:
    extra = sys.argv[1:] if argv is None else argv
    command = lab_command(extra)
    process = subprocess.Popen(command, cwd=ROOT)
    # Ctrl-C in the terminal reaches JupyterLab too (same process group), and
    # JupyterLab asks whether to shut down; this script only waits for it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: process.terminate())
    info = wait_until_serving(process, _runtime_dir())
    if info is None:
        code = process.wait()
        print(f"dynamo-lab: JupyterLab stopped before it was ready (exit code {code}); "
              "its messages are above.", file=sys.stderr, flush=True)
        return code or 1
    where = "" if "--ServerApp.open_browser=False" not in command else (
        "   (no browser opened here: paste this address into one)")
    print(f"\n{READY} {lesson_url(info)}{where}\n", flush=True)
    return process.wait()


if __name__ == "__main__":
    sys.exit(main())
