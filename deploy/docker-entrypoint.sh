#!/bin/sh
# Starts one service of the image: `serve` (default) or `migrate`.
# exec: node becomes PID 1 and receives SIGTERM directly (graceful shutdown).
set -eu
case "${SERVICE:-}" in
  units-registry | assessments | campaigns | notifications) ;;
  *)
    echo "docker-entrypoint: SERVICE must be one of units-registry, assessments, campaigns, notifications (got '${SERVICE:-}')" >&2
    exit 64
    ;;
esac
exec node "/app/dist/apps/$SERVICE/src/main.js" "$@"
