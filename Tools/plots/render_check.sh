#!/usr/bin/env bash
# Renders every SVG and HTML file in a folder (default plots/, as `swift run -c release examples
# plots` writes them) in headless Chromium to PNG next to it (`name.svg` → `name.svg.png`) and checks
# each picture: the size the SVG declares (HTML: the window), and not blank (enough distinct,
# non-background pixels). Needs Debian's `chromium` and python3. Usage: Tools/plots/render_check.sh [folder]
set -euo pipefail
folder="${1:-plots}"
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
[ -n "$browser" ] || { echo "render_check: no chromium found (apt-get install chromium)" >&2; exit 2; }
shopt -s nullglob
files=("$folder"/*.svg "$folder"/*.html)
[ ${#files[@]} -gt 0 ] || { echo "render_check: no .svg or .html files in $folder" >&2; exit 2; }
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
failed=0
for file in "${files[@]}"; do
    if [[ "$file" == *.svg ]]; then
        size="$(python3 - "$file" <<'PY'
import math, re, sys
head = open(sys.argv[1], encoding="utf-8").read(600)
w = re.search(r'<svg[^>]*\bwidth="([\d.]+)"', head); h = re.search(r'<svg[^>]*\bheight="([\d.]+)"', head)
print(f"{math.ceil(float(w.group(1)))},{math.ceil(float(h.group(1)))}")
PY
)"
    else
        size="1000,800"
    fi
    png="$file.png"
    rm -f "$png"
    "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
        --force-device-scale-factor=1 --window-size="$size" --screenshot="$png" "file://$(realpath "$file")" >/dev/null 2>&1 || true
    if python3 - "$png" "$size" <<'PY'
import struct, sys, zlib
path, size = sys.argv[1], tuple(int(v) for v in sys.argv[2].split(","))
try:
    data = open(path, "rb").read()
except OSError:
    print(f"FAIL {path}: not rendered"); sys.exit(1)
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, header = 8, b"", None
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8]); body = data[pos + 8:pos + 8 + length]; pos += 12 + length
    if kind == b"IHDR": header = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT": idat += body
width, height, depth, colour = header[:4]
channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
raw, stride = zlib.decompress(idat), width * channels
rows, previous = [], bytearray(stride)
for y in range(height):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - channels] if i >= channels else 0; b = previous[i]; c = previous[i - channels] if i >= channels else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(bytes(line)); previous = line
pixels = [row[x:x + 3] for row in rows for x in range(0, stride, channels)]
background = max(set(pixels[::97]), key=pixels[::97].count)
ink = sum(1 for p in pixels if p != background) / len(pixels)
colours = len(set(pixels))
ok = (width, height) == size and ink > 0.02 and colours > 8
print(f"{'ok  ' if ok else 'FAIL'} {path}: {width}×{height} (expected {size[0]}×{size[1]}), "
      f"{ink * 100:.1f}% non-background pixels, {colours} colours")
sys.exit(0 if ok else 1)
PY
    then :; else failed=1; fi
done
exit $failed
