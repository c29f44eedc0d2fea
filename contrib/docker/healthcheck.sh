#!/bin/bash
# The image's HEALTHCHECK: `GET /healthcheck` on the local HTTP port through bash's /dev/tcp (the
# slim image has no curl). Healthy on a 200 answer only; hearth answers 503 when its database is
# unreachable.
set -eu
port="${HEARTH__SERVER__HTTP_PORT:-3000}"
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /healthcheck HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
IFS= read -r status <&3 || status="no answer"
exec 3<&-
case "$status" in
  "HTTP/1."?" 200 "*) exit 0 ;;
esac
echo "hearth health check: ${status%$'\r'}" >&2
exit 1
