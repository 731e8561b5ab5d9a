#!/usr/bin/env bash
# `make ui`: a local Prefect server on 127.0.0.1 (SQLite under PREFECT_HOME; started through
# scripts/prefect_server.py, which begins its SQLite writes IMMEDIATE), a process work pool
# and worker, the deployments from prefect.yaml and the crash automation (flows/deploy_config.py).
# A worker that dies is started again (the server stays up); Ctrl-C or SIGTERM stops both.
# Logs are appended to, each start marked, so a crash's evidence survives the restart.
#
# Settings (environment): PIA_UI_PORT (default 4200), PREFECT_HOME (default data/prefect),
# PIA_WORK_POOL (default pia-process), PIA_WORK_POOL_LIMIT (runs at once on this machine, default 2),
# PIA_HEARTBEAT_GRACE_SECONDS (default 90), PREFECT_WORKER_QUERY_SECONDS (how often the worker asks
# for runs, default 1), PREFECT_API_DATABASE_CONNECTION_URL (PostgreSQL: docs/orchestration.md),
# PIA_FORKSERVER (default 1: runs start from a warm process, scripts/forkserver.py; 0: a fresh
# `python -m prefect.engine` per run, as Prefect does by default).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BIN="$ROOT/.venv/bin"
PORT="${PIA_UI_PORT:-4200}"

export PIA_WORK_POOL="${PIA_WORK_POOL:-pia-process}"
POOL="$PIA_WORK_POOL"
export PREFECT_HOME="${PREFECT_HOME:-$ROOT/data/prefect}"
export PREFECT_SERVER_API_HOST=127.0.0.1          # loopback only: the UI shows LA names and run logs
export PREFECT_SERVER_API_PORT="$PORT"
export PREFECT_API_URL="http://127.0.0.1:$PORT/api"
export PREFECT_UI_API_URL="$PREFECT_API_URL"
export PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1 GX_ANALYTICS_ENABLED=false
# A run is picked up within a second of being due or triggered (Prefect's default poll is 10 s; one
# request a second to a local server costs nothing measurable): docs/benchmarks.md, upload → pack.
export PREFECT_WORKER_QUERY_SECONDS="${PREFECT_WORKER_QUERY_SECONDS:-1}"
export PREFECT_FLOWS_HEARTBEAT_FREQUENCY=30        # also in prefect.yaml's job variables
mkdir -p "$PREFECT_HOME" && chmod 700 "$PREFECT_HOME"
# Warm runs: the pool's command is the fork server's client, which falls back to
# `python -m prefect.engine` when no fork server answers (docs/orchestration.md, "Warm runs").
export PIA_FORKSERVER_SOCKET="${PIA_FORKSERVER_SOCKET:-$PREFECT_HOME/forkserver.sock}"
FORKSERVER="${PIA_FORKSERVER:-1}"
RUN_COMMAND=""
[ "$FORKSERVER" = 1 ] && RUN_COMMAND="$(printf '%q %q' "$BIN/python" "$ROOT/scripts/forkserver_client.py")"
LOG="$PREFECT_HOME"
stamp() { date -u +%Y-%m-%dT%H:%M:%SZ; }

server_pid=""
worker_pid=""
fork_pid=""
stop() {  # TERM, up to 10 s, then KILL
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.25; done
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$1
  trap - EXIT INT TERM
  # Worker first (it deregisters from the server), then the server.
  stop "$worker_pid"
  stop "$fork_pid"
  stop "$server_pid"
  echo "== $(stamp) ui stopped" >>"$LOG/server.log"
  exit "$rc"
}
trap 'cleanup $?' EXIT
trap 'cleanup 0' INT TERM

healthy() {
  "$BIN/python" - "$PREFECT_API_URL" <<'PY' 2>/dev/null
import sys, urllib.request
urllib.request.urlopen(sys.argv[1] + "/health", timeout=2)
PY
}

if healthy; then
  echo "ui: port $PORT already answers Prefect's health check; set PIA_UI_PORT to another port" >&2
  trap - EXIT
  exit 1
fi

for f in server worker deploy forkserver; do echo "== $(stamp) ui start (pid $$)" >>"$LOG/$f.log"; done
# `prefect server start`, its SQLite write transactions beginning IMMEDIATE (scripts/prefect_server.py:
# a deferred one that loses a race fails at once and costs the run-creating automation 2 s).
"$BIN/python" -m scripts.prefect_server --host 127.0.0.1 --port "$PORT" >>"$LOG/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 240); do
  healthy && break
  kill -0 "$server_pid" 2>/dev/null || { echo "ui: the server stopped; see $LOG/server.log" >&2; exit 1; }
  sleep 0.5
done

start_forkserver() {  # imports Prefect's engine while the deployments go in
  [ "$FORKSERVER" = 1 ] || return 0
  "$BIN/python" -m scripts.forkserver >>"$LOG/forkserver.log" 2>&1 &
  fork_pid=$!
}
fork_before=$(wc -l <"$LOG/forkserver.log")
start_forkserver

"$BIN/prefect" work-pool inspect "$POOL" >/dev/null 2>&1 \
  || "$BIN/prefect" work-pool create "$POOL" --type process >/dev/null
"$BIN/prefect" work-pool set-concurrency-limit "$POOL" "${PIA_WORK_POOL_LIMIT:-2}" >/dev/null
{ "$BIN/prefect" --no-prompt deploy --all && "$BIN/python" -m flows.deploy_config automations --pool-command "$RUN_COMMAND"; } \
  >>"$LOG/deploy.log" 2>&1 || { tail -n 40 "$LOG/deploy.log" >&2; exit 1; }

# A background job of a non-interactive shell starts with SIGINT ignored, and Python then never
# installs its KeyboardInterrupt handler: the worker turns SIGTERM into a SIGINT to itself, which it
# then ignores (measured: still running 10 min after SIGTERM). Restore SIGINT, then exec the worker.
start_worker() {
  "$BIN/python" -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' \
    "$BIN/prefect" worker start --pool "$POOL" >>"$LOG/worker.log" 2>&1 &
  worker_pid=$!
}
before=$(wc -l <"$LOG/worker.log")
start_worker
# "ready" means a worker is polling: a run triggered now is picked up, `pia notify` finds it online
for _ in $(seq 1 240); do
  tail -n +"$((before + 1))" "$LOG/worker.log" | grep -q "started!" && break
  kill -0 "$worker_pid" 2>/dev/null || { echo "ui: the worker stopped; see $LOG/worker.log" >&2; exit 1; }
  sleep 0.25
done

# runs triggered from now on start warm (a run started before would fall back, not fail)
if [ "$FORKSERVER" = 1 ]; then
  for _ in $(seq 1 240); do
    tail -n +"$((fork_before + 1))" "$LOG/forkserver.log" | grep -q "listening on" && break
    kill -0 "$fork_pid" 2>/dev/null || { echo "ui: the fork server stopped; see $LOG/forkserver.log" >&2; exit 1; }
    sleep 0.25
  done
fi

cat <<MSG
ui: ready — open http://127.0.0.1:$PORT  (deployments: inspection-pack, on-notification, statistics-refresh)
    In another terminal:  export PREFECT_API_URL=$PREFECT_API_URL
      pia notify   --la E06000050 --notification-date 2026-11-16 --annex-a data/inbox/demo/E06000050/2026-11-16
      pia uploaded --la E06000050 --notification-date 2026-11-16 --annex-a data/inbox/demo/E06000050/2026-11-16
    Logs (appended): $LOG/{server,worker,deploy,forkserver}.log   Ctrl-C stops them all.
MSG

# Supervise: the server stopping ends the UI; the worker or the fork server stopping (killed, out of
# memory) is logged and it is started again, at most once every 2 s (runs meanwhile fall back).
while true; do
  rc=0 done_pid=""
  wait -n -p done_pid "$server_pid" "$worker_pid" $fork_pid || rc=$?
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "ui: the server stopped; see $LOG/server.log" >&2
    exit 1
  fi
  if [ "$done_pid" = "$worker_pid" ] || ! kill -0 "$worker_pid" 2>/dev/null; then
    echo "== $(stamp) worker (pid $worker_pid) exited with status $rc; starting it again" \
      | tee -a "$LOG/worker.log" >&2
    sleep 2 &
    wait $! || true
    start_worker
    echo "ui: worker started again (pid $worker_pid)" >&2
  fi
  if [ -n "$fork_pid" ] && ! kill -0 "$fork_pid" 2>/dev/null; then
    echo "== $(stamp) fork server (pid $fork_pid) exited; starting it again" \
      | tee -a "$LOG/forkserver.log" >&2
    sleep 2 &
    wait $! || true
    start_forkserver
  fi
done
