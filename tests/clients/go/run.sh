#!/bin/bash
# Starts two fresh hearths (one allowing loopback migrations and local-path migrations, one with
# defaults), runs the go-gogs-client compatibility program, stops them.
cd "$(dirname "$0")"
for k in k1:ed25519 k3:ed25519 k4:ed25519; do f=/tmp/${k%%:*}; [ -f $f.pub ] || ssh-keygen -q -t ${k#*:} -N '' -f $f -C ${k%%:*}@test; done
[ -f /tmp/k2.pub ] || ssh-keygen -q -t rsa -b 2048 -N '' -f /tmp/k2 -C k2@test
read PORT DIR PID < <(../server.sh start HEARTH__SECURITY__LOCAL_NETWORK_ALLOWLIST=loopback HEARTH__REPOSITORY__ENABLE_LOCAL_PATH_MIGRATION=true)
read PORT2 DIR2 PID2 < <(../server.sh start)
export GO111MODULE=off GOPATH=$PWD:/usr/share/gocode GOCACHE=/tmp/compat-gocache GOFLAGS=
HEARTH_URL=http://127.0.0.1:$PORT HEARTH_URL_STRICT=http://127.0.0.1:$PORT2 KEY_ED=/tmp/k1.pub KEY_RSA=/tmp/k2.pub KEY_ED2=/tmp/k3.pub KEY_ED3=/tmp/k4.pub go run compat
RC=$?
../server.sh stop $PID
../server.sh stop $PID2
echo "server log: $DIR/server.err (strict: $DIR2/server.err)"
exit $RC
