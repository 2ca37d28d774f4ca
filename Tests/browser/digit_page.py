"""Drives the draw-a-digit page of `keras serve digits` in headless Chromium, as a person would.

For each stroke fixture (Tests/KerasCLITests/Fixtures/digit-strokes.json) it moves the mouse along
the strokes on the canvas with the button down (Chrome DevTools protocol: Input.dispatchMouseEvent;
the 7 is drawn with a finger, Input.dispatchTouchEvent), presses Recognise, waits for the answer and reads it; then presses Clear and checks that the canvas
is white again and the answer gone. With a model trained on MNIST it also counts the digits
recognised (at least 9 of 10 expected); with Fashion-MNIST it only checks that answers come.

Needs Debian's chromium and python3-websocket, and a built `keras`:
    python3 Tests/browser/digit_page.py --keras .build/release/keras [--model FILE] [--screenshot docs/digits-app.png]
Without --model the server trains (or reuses) the seed's MLP in a temporary cache (--epochs).
Ends with a line 'N passed, M failed'; exits non-zero when a check fails.
"""
import argparse
import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket  # python3-websocket

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "..", "KerasCLITests", "Fixtures", "digit-strokes.json")


class Browser:
    """Headless Chromium and one DevTools connection to its page."""

    def __init__(self, url, profile):
        binary = shutil.which("chromium") or shutil.which("chromium-browser")
        if binary is None:
            raise SystemExit("chromium is not installed (apt-get install chromium)")
        self.process = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
             f"--user-data-dir={profile}", "--window-size=1000,560", "--hide-scrollbars", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        endpoint = None
        deadline = time.time() + 30
        while endpoint is None and time.time() < deadline:
            line = self.process.stderr.readline()
            match = re.search(r"DevTools listening on (ws://\S+)", line)
            if match:
                endpoint = match.group(1)
        if endpoint is None:
            raise SystemExit("chromium did not open its DevTools port")
        port = re.search(r":(\d+)/", endpoint).group(1)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as response:
            page = next(target for target in json.load(response) if target["type"] == "page")
        self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        self.next_id = 0
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete' && document.getElementById('pad') !== null")

    def call(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, condition, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.evaluate(f"Boolean({condition})"):
                return True
            time.sleep(0.05)
        return False

    def mouse(self, kind, x, y, buttons):
        self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left",
                  buttons=buttons, clickCount=1 if kind != "mouseMoved" else 0)

    def click(self, element_id):
        box = self.evaluate(f"(() => {{ const r = document.getElementById('{element_id}').getBoundingClientRect();"
                            " return [r.left + r.width / 2, r.top + r.height / 2]; })()")
        self.mouse("mousePressed", box[0], box[1], 1)
        self.mouse("mouseReleased", box[0], box[1], 0)

    def draw(self, strokes, touch=False):
        """Moves the mouse (or a finger) along each stroke with the button held, in canvas coordinates."""
        left, top = self.evaluate("(() => { const r = document.getElementById('pad').getBoundingClientRect();"
                                  " return [r.left + 2, r.top + 2]; })()")  # inside the 2-pixel border
        if touch:
            self.call("Emulation.setTouchEmulationEnabled", enabled=True, maxTouchPoints=1)
            for stroke in strokes:
                points = [{"x": left + x, "y": top + y} for x, y in stroke]
                self.call("Input.dispatchTouchEvent", type="touchStart", touchPoints=points[:1])
                for point in points[1:]:
                    self.call("Input.dispatchTouchEvent", type="touchMove", touchPoints=[point])
                self.call("Input.dispatchTouchEvent", type="touchEnd", touchPoints=[])
            self.call("Emulation.setTouchEmulationEnabled", enabled=False)
            return
        for stroke in strokes:
            x, y = stroke[0]
            self.mouse("mouseMoved", left + x, top + y, 0)
            self.mouse("mousePressed", left + x, top + y, 1)
            for x, y in stroke[1:]:
                self.mouse("mouseMoved", left + x, top + y, 1)
            self.mouse("mouseReleased", left + x, top + y, 0)

    def screenshot(self, path):
        self.call("Emulation.setDeviceMetricsOverride", width=1060, height=470, deviceScaleFactor=1, mobile=False)
        data = self.call("Page.captureScreenshot", format="png")["data"]
        self.call("Emulation.clearDeviceMetricsOverride")
        with open(path, "wb") as file:
            file.write(base64.b64decode(data))

    def close(self):
        self.socket.close()
        self.process.terminate()
        self.process.wait(timeout=10)


def start_server(arguments, cache):
    command = [arguments.keras, "serve", "digits", "--port", "0"]
    command += ["--model", arguments.model] if arguments.model else ["--cache", cache, "--epochs", str(arguments.epochs)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    for line in server.stdout:
        match = re.search(r"on (http://127\.0\.0\.1:\d+/)", line)
        if match:
            return server, match.group(1), line.strip()
    raise SystemExit(f"keras serve digits stopped: exit status {server.wait()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keras", default=".build/release/keras")
    parser.add_argument("--model")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--screenshot")
    arguments = parser.parse_args()
    drawings = json.load(open(FIXTURE))

    work = tempfile.mkdtemp(prefix="digit-page-")
    server, url, banner = start_server(arguments, os.path.join(work, "cache"))
    print(banner)
    passed, failed = 0, 0

    def check(condition, what):
        nonlocal passed, failed
        passed, failed = passed + bool(condition), failed + (not condition)
        print(("ok     " if condition else "FAILED ") + what)

    browser = Browser(url, os.path.join(work, "profile"))
    try:
        digits = "mnist" in banner.lower() and "fashion" not in banner.lower()
        check(browser.wait_for("document.getElementById('bars').children.length === 30"), "the page shows ten empty bars")
        recognised = 0
        for drawing in drawings:
            browser.click("clear")
            touch = drawing["digit"] == 7  # one drawing with a finger (touch events)
            browser.draw(drawing["strokes"], touch=touch)
            ink = browser.evaluate("(() => { const d = document.getElementById('pad').getContext('2d')"
                                   ".getImageData(0, 0, 280, 280).data; let n = 0;"
                                   " for (let i = 0; i < d.length; i += 4) if (d[i] < 128) n++; return n; })()")
            browser.click("recognise")
            answered = browser.wait_for("document.getElementById('answer').textContent !== ''")
            answer = browser.evaluate("document.getElementById('answer').textContent")
            check(ink > 500 and answered and answer not in ("", "?"), f"drew a {drawing['digit']} with {'a finger' if touch else 'the mouse'} ({ink} dark pixels), the page answered {answer!r}")
            if digits and answer == str(drawing["digit"]):
                recognised += 1
            if drawing["digit"] == 3 and arguments.screenshot:
                browser.screenshot(arguments.screenshot)
                print(f"screenshot: {arguments.screenshot}")
        if digits:
            print(f"recognised {recognised} of {len(drawings)} digits drawn in the browser")
            check(recognised >= 9, "at least 9 of 10 drawn digits recognised")
        else:
            print("the server's model was not trained on MNIST: recognition of digits not checked")
        browser.click("clear")
        check(browser.evaluate("(() => { const d = document.getElementById('pad').getContext('2d')"
                               ".getImageData(0, 0, 280, 280).data; return d.every(v => v === 255); })()"),
              "Clear leaves a white canvas")
        check(browser.evaluate("document.getElementById('answer').textContent") == "", "Clear removes the answer")
    finally:
        browser.close()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
