#!/bin/bash
# Starts a fresh hearth, runs the go-gogs-client compatibility program, stops hearth.
cd "$(dirname "$0")"
for k in k1:ed25519 k3:ed25519; do f=/tmp/${k%%:*}; [ -f $f.pub ] || ssh-keygen -q -t ${k#*:} -N '' -f $f -C ${k%%:*}@test; done
[ -f /tmp/k2.pub ] || ssh-keygen -q -t rsa -b 2048 -N '' -f /tmp/k2 -C k2@test
read PORT DIR PID < <(../server.sh start)
export GO111MODULE=off GOPATH=$PWD:/usr/share/gocode GOCACHE=/tmp/compat-gocache GOFLAGS=
HEARTH_URL=http://127.0.0.1:$PORT KEY_ED=/tmp/k1.pub KEY_RSA=/tmp/k2.pub KEY_ED2=/tmp/k3.pub go run compat
RC=$?
../server.sh stop $PID
echo "server log: $DIR/server.err"
exit $RC
