#!/usr/bin/env bash
# `make ui`: a local Prefect server on 127.0.0.1 (SQLite under PREFECT_HOME), a process work pool
# and worker, and the deployments from prefect.yaml. Ctrl-C stops the server and the worker.
#
# Settings (environment): PIA_UI_PORT (default 4200), PREFECT_HOME (default data/prefect),
# PIA_WORK_POOL_LIMIT (runs at once on this machine, default 2), PREFECT_API_DATABASE_CONNECTION_URL
# (PostgreSQL for a shared server: docs/orchestration.md).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BIN="$ROOT/.venv/bin"
PORT="${PIA_UI_PORT:-4200}"
POOL=pia-process

export PREFECT_HOME="${PREFECT_HOME:-$ROOT/data/prefect}"
export PREFECT_SERVER_API_HOST=127.0.0.1          # loopback only: the UI shows LA names and run logs
export PREFECT_SERVER_API_PORT="$PORT"
export PREFECT_API_URL="http://127.0.0.1:$PORT/api"
export PREFECT_UI_API_URL="$PREFECT_API_URL"
export PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1 GX_ANALYTICS_ENABLED=false
mkdir -p "$PREFECT_HOME" && chmod 700 "$PREFECT_HOME"

pids=()
cleanup() {
  trap - EXIT INT TERM
  # Worker first (it deregisters from the server), then the server; up to 10 s each to stop, then
  # killed: a worker whose server has gone retries instead of exiting.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid=${pids[i]}
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT INT TERM

if "$BIN/python" - "$PREFECT_API_URL" <<'PY' 2>/dev/null; then
import sys, urllib.request
urllib.request.urlopen(sys.argv[1] + "/health", timeout=2)
PY
  echo "ui: port $PORT already answers Prefect's health check; set PIA_UI_PORT to another port" >&2
  exit 1
fi

"$BIN/prefect" server start --host 127.0.0.1 --port "$PORT" >"$PREFECT_HOME/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do
  if "$BIN/python" - "$PREFECT_API_URL" <<'PY' 2>/dev/null; then break; fi
import sys, urllib.request
urllib.request.urlopen(sys.argv[1] + "/health", timeout=2)
PY
  kill -0 "${pids[0]}" 2>/dev/null || { echo "ui: the server stopped; see $PREFECT_HOME/server.log" >&2; exit 1; }
  sleep 0.5
done

"$BIN/prefect" work-pool inspect "$POOL" >/dev/null 2>&1 \
  || "$BIN/prefect" work-pool create "$POOL" --type process >/dev/null
"$BIN/prefect" work-pool set-concurrency-limit "$POOL" "${PIA_WORK_POOL_LIMIT:-2}" >/dev/null
"$BIN/prefect" --no-prompt deploy --all >"$PREFECT_HOME/deploy.log" 2>&1 \
  || { cat "$PREFECT_HOME/deploy.log" >&2; exit 1; }

"$BIN/prefect" worker start --pool "$POOL" >"$PREFECT_HOME/worker.log" 2>&1 &
pids+=($!)

cat <<MSG
ui: ready — open http://127.0.0.1:$PORT  (deployments: inspection-pack, on-notification, statistics-refresh)
    In another terminal:  export PREFECT_API_URL=$PREFECT_API_URL
      pia notify --la E06000050 --notification-date 2026-11-16 --annex-a data/inbox/demo/E06000050/2026-11-16
      pia run    --la E06000050 --notification-date 2026-11-16 --annex-a data/inbox/demo/E06000050/2026-11-16
    Logs: $PREFECT_HOME/{server,worker,deploy}.log   Ctrl-C stops the server and the worker.
MSG
wait -n "${pids[@]}"
