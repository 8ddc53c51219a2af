"""The widgets in a real browser: JupyterLab, Debian's chromium, Playwright.

The test starts JupyterLab on a free loopback port with a fresh home and
settings, opens ``tests/browser/widgets_smoke.ipynb`` (a copy, so outputs are
never saved into the repository), runs all cells from the Run menu, waits for
the quorum calculator and the cluster explorer to render, moves the R slider
with the keyboard and checks that the calculator's label changes. No page
may show "Error displaying widget". Screenshots are left in the test's
``tmp_path``: ``jupyterlab.png`` and ``cluster_explorer.png``, or
``failure.png`` when a step fails (with the server's log printed).

It needs the ``chromium`` executable (``.ci/run`` installs Debian's package;
Playwright never downloads a browser here) and skips without it.
"""

import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).parent / "browser" / "widgets_smoke.ipynb"
REPO = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
# The whole test, server start included, must finish within this many seconds.
BUDGET_S = 85
SERVER_START_S = 40


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_environment(home: Path) -> dict:
    """Environment for the server: its own home, config, settings and workspaces."""
    env = dict(os.environ)
    env.update({
        "HOME": str(home),
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_DATA_DIR": str(home / ".local" / "share" / "jupyter"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "lab" / "user-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "lab" / "workspaces"),
        "IPYTHONDIR": str(home / ".ipython"),
        # The kernel imports the package from this checkout.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
        "MPLBACKEND": "Agg",
    })
    # No news toasts and no update checks: they would reach for the network
    # and could cover the page.
    notification = home / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False,
                    "doNotDisturbMode": True}))
    return env


def wait_for_server(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"JupyterLab exited early (code {process.returncode}):\n"
                        f"{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (OSError, http.client.HTTPException):
            # Not listening yet (or, briefly, someone else's socket on the port).
            pass
        time.sleep(0.3)
    pytest.fail(f"JupyterLab did not answer within {SERVER_START_S} s:\n"
                f"{log.read_text()[-3000:]}")


def stop_server(process: subprocess.Popen) -> None:
    """End the server and its kernels (its own process group), politely first."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=5)


@contextlib.contextmanager
def jupyterlab(tmp_path):
    """Run a JupyterLab server on 127.0.0.1 serving a copy of the smoke notebook."""
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    home = tmp_path / "home"
    home.mkdir()
    env = fresh_environment(home)
    port, token = free_port(), secrets.token_hex(16)
    log = tmp_path / "jupyterlab.log"
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={root}",
               "--ServerApp.open_browser=False",
               # CI runs as root; the server only listens on loopback.
               "--ServerApp.allow_root=True",
               # Nothing may reach for the network: no update checks, no news,
               # no extension listings.
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--LabApp.news_url=", "--LabApp.extension_manager=readonly"]
    with open(log, "w") as out:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_server(f"http://127.0.0.1:{port}/api/status?token={token}", process, log)
        yield f"http://127.0.0.1:{port}", token, log
    finally:
        stop_server(process)


@pytest.mark.browser
def test_widgets_render_and_answer_in_jupyterlab(tmp_path):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (CI's .ci/run installs it with "
                    "apt-get install chromium); this test never downloads a browser")
    sync_api = pytest.importorskip("playwright.sync_api")
    deadline = time.monotonic() + BUDGET_S
    with jupyterlab(tmp_path) as (base, token, log):
        try:
            _drive(sync_api, chromium, base, token, tmp_path, deadline)
        except Exception:
            print(log.read_text()[-4000:])  # pytest shows it with the failure
            raise
    assert time.monotonic() < deadline + 5, "the browser test took longer than 90 s"


def _run_all_cells(page, timeout_error) -> None:
    """Run > Run All Cells, accepting the kernel dialog if JupyterLab shows one."""
    page.locator("#jp-menu-panel .lm-MenuBar-itemLabel", has_text="Run").first.click()
    # "Run All Cells" is runmenu:run-all in JupyterLab 4 (notebook:run-all-cells
    # in the notebook's own context menu); either will do.
    page.locator("li[data-command='runmenu:run-all'], "
                 "li[data-command='notebook:run-all-cells']").first.click()
    dialog = page.locator(".jp-Dialog")
    try:
        dialog.wait_for(timeout=1500)
    except timeout_error:
        return
    page.locator(".jp-Dialog .jp-mod-accept").click()


def _drive(sync_api, chromium, base, token, tmp_path, deadline):
    def budget() -> None:
        """Let the next step wait only for what is left of the test's time."""
        page.set_default_timeout(max(1000, int((deadline - time.monotonic()) * 1000)))

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS,
                                    headless=True, timeout=20_000)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            budget()
            page.goto(f"{base}/lab/tree/{NOTEBOOK.name}?token={token}")
            # The notebook is open and its kernel is connected and idle (the
            # status bar says so only once the session is ready; running cells
            # before that makes JupyterLab ask which kernel to start).
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell")
            page.get_by_text(re.compile(r"Python 3 \(ipykernel\) \| Idle")).wait_for()
            calc = page.locator(".dl-quorum-calculator")
            for attempt in range(2):
                budget()
                _run_all_cells(page, sync_api.TimeoutError)
                try:
                    calc.wait_for(timeout=15_000)
                    break
                except sync_api.TimeoutError:
                    if attempt:
                        raise
            budget()
            page.locator(".dl-cluster-explorer").wait_for()
            summary = page.locator(".dl-quorum-summary")
            page.wait_for_function(
                "() => (document.querySelector('.dl-quorum-summary') || {}).innerText"
                "?.includes('2/3')")
            before = summary.inner_text()
            assert "No guaranteed overlap" in before

            # The second slider of the calculator is R: one step right, 1 -> 2,
            # and the kernel's answer must come back into the label.
            handle = calc.locator(".widget-slider .noUi-handle").nth(1)
            handle.focus()
            page.keyboard.press("ArrowRight")
            budget()
            page.wait_for_function(
                "() => document.querySelector('.dl-quorum-summary').innerText.includes('1/3')")
            after = summary.inner_text()
            assert after != before and "C(2, 2) / C(3, 2)" in after

            # The pictures arrived as images with real pixels (a redrawn image
            # decodes asynchronously, so wait for it).
            for selector in (".dl-quorum-calculator img", ".dl-cluster-explorer img"):
                page.wait_for_function(
                    "selector => { const img = document.querySelector(selector);"
                    " return img !== null && img.complete && img.naturalWidth > 100; }",
                    arg=selector)
            assert page.get_by_text("Error displaying widget").count() == 0
            assert "Error displaying widget" not in page.content()
            page.screenshot(path=str(tmp_path / "jupyterlab.png"))
            # JupyterLab scrolls inside the notebook panel, not the page.
            page.locator(".dl-cluster-explorer").scroll_into_view_if_needed()
            page.screenshot(path=str(tmp_path / "cluster_explorer.png"))
        except Exception:
            page.screenshot(path=str(tmp_path / "failure.png"))
            raise
        finally:
            browser.close()
