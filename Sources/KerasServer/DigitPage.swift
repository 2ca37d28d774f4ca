// The web app's one page: HTML, CSS and JavaScript in one string (no build step, no network).

/// The draw-a-digit page served at `/`.
///
/// A 280×280 canvas taking pointer input (mouse, pen, touch) drawn with a 20-pixel black pen on
/// white, as in seed 002's tkinter app; "Recognise / 识别数字" sends the canvas as a PNG to
/// `/predict`; the answer, a bar per class and the 28×28 picture the model saw appear beside it;
/// "Clear / 清空画板" wipes everything. Element ids (`pad`, `recognise`, `clear`, `answer`, `bars`,
/// `seen`) are what the browser test drives.
enum DigitPage {
    static let html = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Draw a digit · swift-keras</title>
    <style>
      body { font: 16px system-ui, sans-serif; margin: 24px; color: #222; background: #fafafa; }
      h1 { font-size: 22px; margin: 0 0 4px; }
      p.note { margin: 0 0 16px; color: #666; font-size: 14px; }
      main { display: flex; flex-wrap: wrap; gap: 28px; align-items: flex-start; }
      #pad { width: 280px; height: 280px; border: 2px solid #444; border-radius: 6px; background: #fff;
             touch-action: none; cursor: crosshair; display: block; }
      .buttons { display: flex; gap: 10px; margin-top: 10px; }
      button { font-size: 16px; padding: 8px 14px; border-radius: 6px; border: 1px solid #888; background: #fff; cursor: pointer; }
      button.primary { background: #1f6feb; border-color: #1f6feb; color: #fff; }
      #answer { font-size: 64px; font-weight: 700; min-height: 76px; line-height: 76px; }
      #status { color: #a40000; min-height: 20px; font-size: 14px; max-width: 260px; }
      #bars { display: grid; grid-template-columns: 5.5em 180px 3.5em; gap: 3px 8px; font-size: 14px; align-items: center; }
      .bar { height: 14px; background: #1f6feb; border-radius: 2px; }
      .bar.best { background: #d9480f; }
      .track { background: #e6e6e6; border-radius: 2px; }
      #seen { width: 112px; height: 112px; image-rendering: pixelated; border: 1px solid #999; background: #000; }
      h2 { font-size: 15px; margin: 14px 0 6px; color: #444; }
    </style>
    </head>
    <body>
    <h1>Draw a digit · 手写数字识别</h1>
    <p class="note" id="model"></p>
    <main>
      <section>
        <canvas id="pad" width="280" height="280" aria-label="drawing pad"></canvas>
        <div class="buttons">
          <button id="recognise" class="primary">Recognise / 识别数字</button>
          <button id="clear">Clear / 清空画板</button>
        </div>
      </section>
      <section>
        <div>Prediction / 识别结果:</div>
        <div id="answer" aria-live="polite"></div>
        <div id="status"></div>
        <h2>What the model saw (28×28)</h2>
        <canvas id="seen" width="28" height="28"></canvas>
      </section>
      <section>
        <h2>Probabilities</h2>
        <div id="bars"></div>
      </section>
    </main>
    <script>
    "use strict";
    const pad = document.getElementById("pad");
    const ink = pad.getContext("2d");
    const seen = document.getElementById("seen");
    const answer = document.getElementById("answer");
    const status = document.getElementById("status");
    const bars = document.getElementById("bars");
    let classes = [...Array(10).keys()].map(String);
    let last = null;

    function wipe() {
      ink.fillStyle = "#fff";
      ink.fillRect(0, 0, pad.width, pad.height);
      seen.getContext("2d").clearRect(0, 0, 28, 28);
      answer.textContent = "";
      status.textContent = "";
      showBars(null);
    }

    function point(event) {
      const box = pad.getBoundingClientRect();
      return [(event.clientX - box.left) * pad.width / box.width, (event.clientY - box.top) * pad.height / box.height];
    }

    // A 20-pixel pen, as in seed 002; a stylus draws thinner or thicker with its pressure.
    function stroke(from, to, event) {
      ink.strokeStyle = "#000";
      ink.lineWidth = event.pointerType === "pen" ? 10 + 20 * (event.pressure || 0.5) : 20;
      ink.lineCap = "round";
      ink.lineJoin = "round";
      ink.beginPath();
      ink.moveTo(from[0], from[1]);
      ink.lineTo(to[0], to[1]);
      ink.stroke();
    }

    pad.addEventListener("pointerdown", (event) => {
      pad.setPointerCapture(event.pointerId);
      last = point(event);
      stroke(last, last, event);
      event.preventDefault();
    });
    pad.addEventListener("pointermove", (event) => {
      if (last === null) return;
      const next = point(event);
      stroke(last, next, event);
      last = next;
      event.preventDefault();
    });
    for (const name of ["pointerup", "pointercancel", "pointerleave"]) {
      pad.addEventListener(name, () => { last = null; });
    }

    function showBars(probabilities) {
      bars.replaceChildren();
      const best = probabilities ? probabilities.indexOf(Math.max(...probabilities)) : -1;
      classes.forEach((name, index) => {
        const p = probabilities ? probabilities[index] : 0;
        const label = document.createElement("span");
        label.textContent = name;
        const track = document.createElement("div");
        track.className = "track";
        const bar = document.createElement("div");
        bar.className = index === best ? "bar best" : "bar";
        bar.style.width = (100 * p).toFixed(1) + "%";
        track.append(bar);
        const value = document.createElement("span");
        value.textContent = (100 * p).toFixed(1) + "%";
        bars.append(label, track, value);
      });
    }

    function showSeen(image) {
      const context = seen.getContext("2d");
      const pixels = context.createImageData(28, 28);
      image.forEach((value, index) => {
        const grey = Math.round(255 * value);
        pixels.data.set([grey, grey, grey, 255], 4 * index);
      });
      context.putImageData(pixels, 0, 0);
    }

    async function recognise() {
      status.textContent = "";
      const png = await new Promise((resolve) => pad.toBlob(resolve, "image/png"));
      try {
        const response = await fetch("predict", { method: "POST", headers: { "Content-Type": "image/png" }, body: png });
        const result = await response.json();
        if (!response.ok) {
          answer.textContent = "?";
          status.textContent = result.error ? result.error.message : response.statusText;
          return;
        }
        answer.textContent = result.label;
        showBars(result.probabilities);
        showSeen(result.image);
      } catch (error) {
        status.textContent = "The server did not answer: " + error;
      }
    }

    document.getElementById("recognise").addEventListener("click", recognise);
    document.getElementById("clear").addEventListener("click", wipe);
    fetch("health").then((response) => response.json()).then((health) => {
      classes = health.classes;
      document.getElementById("model").textContent = "Model: " + health.model;
      showBars(null);
    }).catch(() => {});
    wipe();
    </script>
    </body>
    </html>
    """#
}
