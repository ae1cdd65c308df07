#!/usr/bin/env bash
# Starts (or stops) a throwaway PostgreSQL cluster and Redis server on 127.0.0.1 for the
# integration tests and for local scale-out experiments. Nothing is installed system-wide and no
# system service is touched: both live in one directory and die with `stop`.
#
#   scripts/test-services.sh install          # Debian/Ubuntu: apt-get install postgresql redis-server
#   eval "$(scripts/test-services.sh start)"  # exports PAPERFEED_TEST_PG_URL and PAPERFEED_TEST_REDIS_URL
#   scripts/test-services.sh stop
#
# Environment: PAPERFEED_SERVICES_DIR (default /tmp/paperfeed-services), PAPERFEED_PG_PORT
# (default 54329), PAPERFEED_REDIS_PORT (default 63799).
set -euo pipefail

DIR="${PAPERFEED_SERVICES_DIR:-/tmp/paperfeed-services}"
PG_PORT="${PAPERFEED_PG_PORT:-54329}"
REDIS_PORT="${PAPERFEED_REDIS_PORT:-63799}"
DB=paperfeed_test

say() { echo "test-services: $*" >&2; }

pg_bin() {
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  if [[ -z "$bin" ]]; then
    bin="$(dirname "$(command -v initdb 2>/dev/null || command -v pg_ctl 2>/dev/null || echo /nonexistent/x)")"
  fi
  [[ -x "$bin/initdb" ]] || { say "PostgreSQL server binaries not found; run: $0 install"; exit 1; }
  echo "$bin"
}

# PostgreSQL refuses to run as root: as root, the cluster belongs to the 'postgres' user the
# Debian package creates.
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install() {
  export DEBIAN_FRONTEND=noninteractive
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends postgresql redis-server >/dev/null
  say "installed: $(ls /usr/lib/postgresql), $(redis-server --version | cut -d' ' -f3)"
}

start() {
  local bin
  bin="$(pg_bin)"
  command -v redis-server >/dev/null || { say "redis-server not found; run: $0 install"; exit 1; }
  mkdir -p "$DIR"
  chmod 755 "$DIR"
  if [[ ! -f "$DIR/pg/PG_VERSION" ]]; then
    mkdir -p "$DIR/pg" "$DIR/pg-socket"
    [[ $(id -u) -eq 0 ]] && chown postgres "$DIR/pg" "$DIR/pg-socket"
    as_pg "$bin/initdb" -D "$DIR/pg" -U postgres --auth=trust --no-sync -E UTF8 >"$DIR/initdb.log" 2>&1 \
      || { cat "$DIR/initdb.log" >&2; exit 1; }
  fi
  if ! as_pg "$bin/pg_ctl" -D "$DIR/pg" status >/dev/null 2>&1; then
    [[ $(id -u) -eq 0 ]] && touch "$DIR/pg.log" && chown postgres "$DIR/pg.log"
    # Throwaway settings: loopback only, no fsync (a test cluster need not survive power loss).
    as_pg "$bin/pg_ctl" -D "$DIR/pg" -l "$DIR/pg.log" -w -t 30 start \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $DIR/pg-socket -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      >/dev/null || { cat "$DIR/pg.log" >&2; exit 1; }
  fi
  as_pg "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" \
    | grep -q 1 || as_pg "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$DB"

  if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --daemonize yes \
      --dir "$DIR" --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log" >/dev/null
    for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null || { cat "$DIR/redis.log" >&2; exit 1; }
  fi
  say "PostgreSQL on 127.0.0.1:$PG_PORT, Redis on 127.0.0.1:$REDIS_PORT (data in $DIR)"
  echo "export PAPERFEED_TEST_PG_URL=postgres://postgres@127.0.0.1:$PG_PORT/$DB"
  echo "export PAPERFEED_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
}

stop() {
  if [[ -f "$DIR/pg/PG_VERSION" ]]; then
    as_pg "$(pg_bin)/pg_ctl" -D "$DIR/pg" -m fast -w stop >/dev/null 2>&1 || true
  fi
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$DIR"
  say "stopped and removed $DIR"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 install|start|stop" >&2; exit 2 ;;
esac
