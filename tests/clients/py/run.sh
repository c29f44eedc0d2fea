#!/bin/bash
# Starts a fresh hearth, runs the gogs_client compatibility script, stops hearth.
cd "$(dirname "$0")"
if [ ! -x venv/bin/python ]; then python3 -m venv venv && venv/bin/pip install -q gogs-client 'attrs<19.2'; fi
[ -f /tmp/k1.pub ] || ssh-keygen -q -t ed25519 -N '' -f /tmp/k1 -C k1@test
[ -f /tmp/k3.pub ] || ssh-keygen -q -t ed25519 -N '' -f /tmp/k3 -C k3@test
read PORT DIR PID < <(../server.sh start)
HEARTH_URL=http://127.0.0.1:$PORT KEY_ED=/tmp/k1.pub KEY_ED2=/tmp/k3.pub venv/bin/python compat.py
RC=$?
../server.sh stop $PID
echo "server log: $DIR/server.err"
exit $RC
