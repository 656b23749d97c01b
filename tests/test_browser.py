"""feedback.html and summary.html in headless Chromium: the pages render, every image decodes,
and the console stays free of errors.

Chromium is driven through its DevTools protocol (`websocket-client`): started with
`--remote-debugging-port=0`, it writes the port it chose to `<user-data-dir>/DevToolsActivePort`;
the test opens a page target, enables the Runtime/Log/Page domains, navigates to the file and
collects console errors, uncaught exceptions and log entries of level "error" (failed loads
included) until the load event, then reads each image's `naturalWidth`.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import websocket

from autograder.reports.feedback import write_feedback
from autograder.reports.summary import write_summary
from test_reports import sample_results

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-port=0", "--remote-allow-origins=*"]
TIMEOUT = 60.0

PAGE_FACTS = """JSON.stringify({
  title: document.title,
  headings: document.querySelectorAll('h1, h2').length,
  text: document.body.innerText.length,
  images: Array.from(document.images).map(i => ({complete: i.complete, width: i.naturalWidth}))
})"""


class DevToolsPage:
    """One Chromium tab behind a DevTools websocket."""

    def __init__(self, url: str):
        self.ws = websocket.create_connection(url, timeout=TIMEOUT, suppress_origin=True)
        self.next_id = 0
        self.errors: list[str] = []
        for domain in ("Runtime", "Log", "Page"):
            self.call(f"{domain}.enable")

    def call(self, method: str, params: dict | None = None) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params or {}}))
        while True:
            message = self._receive()
            if message.get("id") == self.next_id:
                assert "error" not in message, message
                return message.get("result", {})

    def wait_for(self, event: str) -> None:
        while self._receive().get("method") != event:
            pass

    def _receive(self) -> dict:
        message = json.loads(self.ws.recv())
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            self.errors.append(details.get("exception", {}).get("description") or details.get("text", ""))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.errors.append("console: " + " ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            entry = params["entry"]
            self.errors.append(f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}")
        return message

    def load(self, file: Path) -> dict:
        """Navigate to `file`, wait for its load event, return the page facts."""
        self.call("Page.navigate", {"url": file.resolve().as_uri()})
        self.wait_for("Page.loadEventFired")
        value = self.call("Runtime.evaluate", {"expression": PAGE_FACTS, "returnByValue": True})
        return json.loads(value["result"]["value"])


@pytest.fixture
def chromium_page(tmp_path):
    profile = tmp_path / "profile"
    process = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + TIMEOUT
        while not (port_file.is_file() and port_file.read_text().count("\n") >= 1):
            assert process.poll() is None, f"chromium exited with status {process.returncode}"
            assert time.monotonic() < deadline, "chromium did not open its DevTools port"
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        browser = websocket.create_connection(f"ws://127.0.0.1:{port}{port_file.read_text().split()[1]}",
                                              timeout=TIMEOUT, suppress_origin=True)
        browser.send(json.dumps({"id": 1, "method": "Target.createTarget", "params": {"url": "about:blank"}}))
        target = next(m for m in iter(lambda: json.loads(browser.recv()), None) if m.get("id") == 1)
        page = DevToolsPage(f"ws://127.0.0.1:{port}/devtools/page/{target['result']['targetId']}")
        yield page
        page.ws.close()
        browser.close()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.slow
def test_reports_render_in_chromium(tmp_path, chromium_page):
    results = sample_results()
    write_feedback(results[0], tmp_path / "alice", figures="all", show_hidden=True)
    write_summary(results, tmp_path)
    expected_images = {tmp_path / "alice" / "feedback.html": 7, tmp_path / "summary.html": 1}
    for page, images in expected_images.items():
        facts = chromium_page.load(page)
        assert facts["title"] and facts["headings"] >= 2 and facts["text"] > 200, facts
        assert len(facts["images"]) == images
        assert all(i["complete"] and i["width"] > 0 for i in facts["images"]), facts["images"]
    assert chromium_page.errors == []


@pytest.mark.slow
def test_the_browser_check_sees_broken_pages(tmp_path, chromium_page):
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html><head><title>x</title><link rel="icon" href="data:,"></head><body>'
                    '<img src="missing.png"><img src="data:image/png;base64,AAAA">'
                    '<script>console.error("boom"); undefined_function();</script></body></html>')
    facts = chromium_page.load(page)
    assert [i["width"] for i in facts["images"]] == [0, 0]
    joined = "\n".join(chromium_page.errors)
    assert "boom" in joined and "undefined_function" in joined and "missing.png" in joined
