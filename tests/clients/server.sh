#!/bin/bash
# usage: server.sh start [VAR=value ...] -> prints "PORT DIR PID" ; server.sh stop PID
# Extra VAR=value arguments are put into the server's environment (e.g.
# HEARTH__SECURITY__LOCAL_NETWORK_ALLOWLIST=loopback); without them the server runs with defaults.
set -e
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${HEARTH_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/debug/hearth}
case "$1" in
start)
  shift
  DIR=$(mktemp -d /tmp/hearth-compat-data.XXXXXX)
  PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()')
  "$BIN" admin create-user --data "$DIR" --name root --password rootpass1 --email root@example.com --admin >"$DIR/create.log" 2>&1
  env "$@" HEARTH__SECURITY__ARGON2_MEMORY_KIB=256 setsid "$BIN" web --data "$DIR" --port "$PORT" >"$DIR/server.out" 2>"$DIR/server.err" </dev/null &
  PID=$!
  for i in $(seq 1 100); do
    grep -q "listening on http://127.0.0.1:$PORT" "$DIR/server.err" 2>/dev/null && break
    sleep 0.1
  done
  echo "$PORT $DIR $PID"
  ;;
stop)
  kill -TERM "$2" 2>/dev/null || true
  ;;
esac
