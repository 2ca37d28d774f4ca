#!/usr/bin/env bash
# Load test of the draw-a-digit web app from a second process on 127.0.0.1: wrk (Debian's package)
# with 50 connections on 2 threads for 30 s, each request a POST /predict of a drawn digit (JSON,
# 784 pixels), against `keras serve digits` (release build). Prints wrk's requests per second and
# latency percentiles, and the server's resident memory before, every 5 s during, and after the load.
#
# Usage: Tools/bench/digits_load.sh [MODEL.keras]     (default: the seed's MLP the server caches)
#        CONNECTIONS=50 DURATION=30s KERAS=.build/release/keras Tools/bench/digits_load.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
keras="${KERAS:-.build/release/keras}"
connections="${CONNECTIONS:-50}"
duration="${DURATION:-30s}"
work="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

model_arguments=()
[ $# -ge 1 ] && model_arguments=(--model "$1")
"$keras" serve digits --port 0 "${model_arguments[@]}" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do
    grep -q "http://127.0.0.1:" "$work/server.log" && break
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; exit 1; }
    sleep 1
done
url="$(grep -o 'http://127.0.0.1:[0-9]*/' "$work/server.log" | head -1)"
echo "$(grep Serving "$work/server.log")"

# A drawn 7, as the JSON a program sends: 28 × 28 ink values.
python3 - >"$work/body.json" <<'PY'
import json
ink = [0.0] * 784
for x in range(6, 22): ink[5 * 28 + x] = 1.0
for step in range(18):
    x, y = 21 - step * 0.45, 6 + step
    ink[int(y) * 28 + int(x)] = 1.0
    ink[int(y) * 28 + int(x) + 1] = 0.5
print(json.dumps({"pixels": ink}))
PY
cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local file = io.open("$work/body.json", "r")
wrk.body = file:read("*a")
file:close()
LUA

rss() { awk '/VmRSS/ { print $2 " kB" }' "/proc/$server/status"; }
curl -s -o /dev/null -w "warm-up answer: HTTP %{http_code}\n" -H "Content-Type: application/json" --data @"$work/body.json" "${url}predict"
echo "server memory before: $(rss)"
( for _ in $(seq 1 6); do sleep 5; echo "server memory during: $(rss)"; done ) &
sampler=$!
wrk --latency -t 2 -c "$connections" -d "$duration" -s "$work/post.lua" "${url}predict"
wait "$sampler" 2>/dev/null || true
echo "server memory after: $(rss)"
curl -s -o /dev/null -w "after the load: GET /health HTTP %{http_code}\n" "${url}health"
