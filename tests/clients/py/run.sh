#!/bin/bash
# Starts two fresh hearths (one allowing loopback migrations, one with defaults), runs the
# gogs_client compatibility script, stops them.
cd "$(dirname "$0")"
if [ ! -x venv/bin/python ]; then python3 -m venv venv && venv/bin/pip install -q gogs-client 'attrs<19.2'; fi
[ -f /tmp/k1.pub ] || ssh-keygen -q -t ed25519 -N '' -f /tmp/k1 -C k1@test
[ -f /tmp/k3.pub ] || ssh-keygen -q -t ed25519 -N '' -f /tmp/k3 -C k3@test
[ -f /tmp/k4.pub ] || ssh-keygen -q -t ed25519 -N '' -f /tmp/k4 -C k4@test
read PORT DIR PID < <(../server.sh start HEARTH__SECURITY__LOCAL_NETWORK_ALLOWLIST=loopback HEARTH__REPOSITORY__ENABLE_LOCAL_PATH_MIGRATION=true)
read PORT2 DIR2 PID2 < <(../server.sh start)
HEARTH_URL=http://127.0.0.1:$PORT HEARTH_URL_STRICT=http://127.0.0.1:$PORT2 KEY_ED=/tmp/k1.pub KEY_ED2=/tmp/k3.pub KEY_ED3=/tmp/k4.pub venv/bin/python compat.py
RC=$?
../server.sh stop $PID
../server.sh stop $PID2
echo "server log: $DIR/server.err (strict: $DIR2/server.err)"
exit $RC
