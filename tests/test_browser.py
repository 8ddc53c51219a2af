"""The course in a real browser: JupyterLab started as ``make lab`` starts it.

The server is started by ``tools/lab.py``, the script ``make lab`` runs,
with a fresh home and settings and a few extra options of the kind a learner
passes in ``LAB_ARGS`` (a free loopback port; no update checks or news). The
address comes from the line the script prints, as a learner would copy it.
Under CI this runs as root and with no display, so it also proves that
``make lab`` works there.

Two tests share the server:

- the way in: the printed address opens lesson 00; the file browser reaches
  ``exercises/03_quorums.ipynb`` on the same server, and a question there is
  answered and checked;
- the widgets: ``tests/browser/widgets_smoke.ipynb`` runs, the quorum
  calculator and the cluster explorer render, the R slider moves with the
  keyboard and the calculator's label follows; a Predict widget keeps its
  result hidden until a prediction is committed, then shows it. No page may
  show "Error displaying widget".

Autosave is off and nothing is saved: a test asserts the notebooks it
opened are byte-for-byte unchanged. Screenshots are left in each test's
``tmp_path`` (``failure.png`` when a step fails, with the server's log
printed).

It needs the ``chromium`` executable (``.ci/run`` installs Debian's package;
Playwright never downloads a browser here) and skips without it.
"""

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LAUNCHER = REPO / "tools" / "lab.py"
SMOKE = "tests/browser/widgets_smoke.ipynb"
LESSON_00 = "notebooks/00_start_here.ipynb"
EXERCISE = "exercises/03_quorums.ipynb"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
# Each test, once the server is up, must finish within this many seconds.
BUDGET_S = 85
SERVER_START_S = 60
READY = "dynamo-lab: open lesson 00 at"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _settings(home: Path, plugin: str, values: dict) -> None:
    folder = home / "lab" / "user-settings" / plugin.split(":")[0]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{plugin.split(':')[1]}.jupyterlab-settings").write_text(json.dumps(values))


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
    # As on a headless server: the launcher must not try to open a browser.
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        env.pop(name, None)
    # No news toasts and no update checks: they would reach for the network
    # and could cover the page. No autosave: the repository's notebooks are
    # opened in place and must stay as they are.
    _settings(home, "@jupyterlab/apputils-extension:notification",
              {"fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True})
    _settings(home, "@jupyterlab/docmanager-extension:plugin", {"autosave": False})
    return env


def stop_server(process: subprocess.Popen) -> None:
    """End the launcher, the server and its kernels (one process group), politely first."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def _read_address(process: subprocess.Popen, log: Path) -> str:
    """The address from the launcher's ready line, or a failure with the log."""
    found: list[str] = []

    def reader() -> None:
        for line in process.stdout:
            if line.startswith(READY) and not found:
                found.append(line[len(READY):].split()[0])

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_S
    while not found and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
    if not found:
        pytest.fail(f"tools/lab.py printed no address within {SERVER_START_S} s "
                    f"(exit code {process.poll()}):\n{log.read_text()[-3000:]}")
    return found[0]


@pytest.fixture(scope="module")
def course_lab(tmp_path_factory):
    """JupyterLab on the repository, started by tools/lab.py: (address, log)."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (CI's .ci/run installs it with "
                    "apt-get install chromium); this test never downloads a browser")
    pytest.importorskip("playwright.sync_api")
    tmp = tmp_path_factory.mktemp("lab")
    env = fresh_environment(tmp / "home")
    log = tmp / "jupyterlab.log"
    # What a learner would pass in LAB_ARGS on a shared machine.
    lab_args = [f"--port={free_port()}", "--ServerApp.port_retries=0",
                "--ServerApp.ip=127.0.0.1",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                "--LabApp.news_url=", "--LabApp.extension_manager=readonly"]
    watched = [REPO / LESSON_00, REPO / EXERCISE, REPO / SMOKE]
    before = {path: path.read_bytes() for path in watched}
    with open(log, "w") as server_log:
        process = subprocess.Popen([sys.executable, str(LAUNCHER), *lab_args], cwd=REPO,
                                   env=env, stdout=subprocess.PIPE, stderr=server_log,
                                   text=True, start_new_session=True)
    try:
        address = _read_address(process, log)
        yield address, log
    finally:
        stop_server(process)
    for path, content in before.items():
        assert path.read_bytes() == content, f"the browser test changed {path.relative_to(REPO)}"


class _Driver:
    """A Chromium page on the course's server, with a time budget per test."""

    def __init__(self, page, sync_api, tmp_path):
        self.page, self.sync_api, self.tmp_path = page, sync_api, tmp_path
        self.deadline = time.monotonic() + BUDGET_S

    def budget(self) -> None:
        """Let the next step wait only for what is left of the test's time."""
        self.page.set_default_timeout(max(1000, int((self.deadline - time.monotonic()) * 1000)))


@contextlib.contextmanager
def browser_page(course_lab, tmp_path):
    from playwright import sync_api

    address, log = course_lab
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                    args=CHROMIUM_ARGS, headless=True, timeout=20_000)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        driver = _Driver(page, sync_api, tmp_path)
        try:
            driver.budget()
            yield driver, address
        except Exception:
            page.screenshot(path=str(tmp_path / "failure.png"))
            print(log.read_text()[-4000:])  # pytest shows it with the failure
            raise
        finally:
            browser.close()
    assert time.monotonic() < driver.deadline + 5, f"the test took longer than {BUDGET_S} s"


def _open_notebook_idle(page) -> None:
    """Wait for the active notebook to render and its kernel to be idle."""
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell")
    # The status bar shows the kernel idle only once the session is ready;
    # running cells before that makes JupyterLab ask which kernel to start.
    page.get_by_text(re.compile(r"Python 3 \(ipykernel\) \| Idle")).wait_for()


def _answer_in_cell(page, notebook, finds: str, typed: str, expected: str) -> str:
    """Replace the code of the cell containing ``finds`` with ``typed``, run it,
    wait for ``expected`` in its output, and return the output's text."""
    cell = notebook.locator(".jp-CodeCell", has_text=finds)
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(typed)
    page.keyboard.press("Shift+Enter")
    cell.locator(".jp-OutputArea-output", has_text=expected).wait_for()
    return cell.locator(".jp-OutputArea").inner_text()


@pytest.mark.browser
def test_lab_opens_lesson_00_and_an_exercise_that_checks_an_answer(course_lab, tmp_path):
    with browser_page(course_lab, tmp_path) as (driver, address):
        page = driver.page
        assert "/lab/tree/notebooks/00_start_here.ipynb?token=" in address
        page.goto(address)
        _open_notebook_idle(page)
        page.get_by_role("heading", name=re.compile("Start here")).first.wait_for()
        page.screenshot(path=str(tmp_path / "lesson_00.png"))

        # To the exercises through the file browser, as a learner would: up
        # to the repository's root, then into exercises/.
        driver.budget()
        page.locator(".jp-FileBrowser .jp-BreadCrumbs-home").click()
        page.locator(".jp-DirListing-item[title^='Name: exercises']").dblclick()
        page.locator(".jp-DirListing-item[title^='Name: 03_quorums.ipynb']").dblclick()
        page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) "
                               ".jp-Cell:has-text('Exercises 03')")
        _open_notebook_idle(page)

        # Run the set-up cell, then answer question 3 in its own cell.
        driver.budget()
        notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        setup = notebook.locator(".jp-CodeCell", has_text="ex03.questions()")
        setup.locator(".cm-content").click()
        page.keyboard.press("Shift+Enter")
        setup.locator(".jp-InputArea-prompt", has_text="[1]").wait_for()
        answered = _answer_in_cell(page, notebook, "q3.check(", 'q3.check("b")', "Correct!")
        assert "Error" not in answered
        # An answer of the wrong form is told the form, not "Incorrect".
        answered = _answer_in_cell(page, notebook, "q2.check(", "q2.check((3, 3))",
                                   "Answer with a dict")
        assert "Incorrect" not in answered
        page.screenshot(path=str(tmp_path / "exercise_03.png"))


@pytest.mark.browser
def test_widgets_render_and_answer_in_jupyterlab(course_lab, tmp_path):
    with browser_page(course_lab, tmp_path) as (driver, address):
        page = driver.page
        page.goto(address.replace(LESSON_00, SMOKE))
        _drive_widgets(driver)


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


def _drive_widgets(driver) -> None:
    """Run the smoke notebook and work its quorum calculator."""
    page, sync_api, tmp_path, budget = (driver.page, driver.sync_api, driver.tmp_path,
                                        driver.budget)
    _open_notebook_idle(page)
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
    # Predict first: the result stays hidden until a prediction is committed.
    budget()
    predict = page.locator(".dl-predict")
    predict.scroll_into_view_if_needed()
    hidden = predict.get_by_text("the hidden result: 42")
    assert not hidden.is_visible()
    predict.locator("label", has_text="first").click()
    predict.get_by_role("button", name="Commit prediction").click()
    predict.get_by_text("not this time").wait_for()
    hidden.wait_for(state="visible")
    assert "It was the second." in predict.inner_text()

    assert page.get_by_text("Error displaying widget").count() == 0
    assert "Error displaying widget" not in page.content()
    page.screenshot(path=str(tmp_path / "jupyterlab.png"))
    # JupyterLab scrolls inside the notebook panel, not the page.
    page.locator(".dl-cluster-explorer").scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "cluster_explorer.png"))
