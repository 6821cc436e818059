#!/usr/bin/env bash
# Make sure the PostgreSQL and Redis that the tests use are installed, running and answering.
# Usage: scripts/ensure-services.sh DATABASE_URL REDIS_URL
# A server on this machine (127.0.0.1, localhost) is installed with apt-get and started when
# we are root; a server elsewhere is only waited for. Anything missing is said, then exit 1.
set -euo pipefail
cd "$(dirname "$0")/.."

database_url=$1
redis_url=$2
python=${XUEJI_PYTHON:-.venv/bin/python}
is_root() { [[ $(id -u) -eq 0 ]]; }
fail() { echo "ensure-services: $*" >&2; exit 1; }

# host and port of a URL, e.g. "127.0.0.1 5432"
host_port() {
    "$python" -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(p.hostname or "127.0.0.1", p.port or sys.argv[2])' "$1" "$2"
}
is_local() { [[ $1 == 127.0.0.1 || $1 == localhost || $1 == ::1 ]]; }

wait_for() {  # DESCRIPTION COMMAND...: up to 30 s
    local description=$1; shift
    for _ in $(seq 60); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    fail "$description does not answer after 30 s."
}

# --- PostgreSQL -------------------------------------------------------------------------------
read -r pg_host pg_port < <(host_port "$database_url" 5432)
pg_ready() { pg_isready -q -h "$pg_host" -p "$pg_port"; }
if is_local "$pg_host"; then
    if ! command -v pg_ctlcluster >/dev/null || [[ -z $(ls /etc/postgresql 2>/dev/null) ]]; then
        is_root || fail "PostgreSQL is not installed. Install it: sudo apt-get install postgresql"
        scripts/apt-install.sh postgresql
    fi
    if ! pg_ready; then
        version=$(ls /etc/postgresql | sort -V | tail -n 1)
        is_root || fail "PostgreSQL is installed but not running. Start it: sudo pg_ctlcluster $version main start"
        echo "Starting PostgreSQL $version ..."
        pg_ctlcluster --skip-systemctl-redirect "$version" main start
    fi
fi
command -v pg_isready >/dev/null || fail "pg_isready not found: install the PostgreSQL client (apt-get install postgresql-client)."
wait_for "PostgreSQL at $pg_host:$pg_port" pg_ready
# The tests create their own database (test_<name>); they need to log in to the server's
# "postgres" database as the URL's user without being asked for a password.
if ! error=$("$python" - "$database_url" 2>&1 <<'PY'
import sys, urllib.parse as u
import psycopg
url = u.urlsplit(sys.argv[1])._replace(path="/postgres").geturl()
psycopg.connect(url, connect_timeout=5).close()
PY
); then
    echo "$error" | tail -n 1 >&2
    fail "cannot log in to PostgreSQL with $database_url. On a fresh Debian install, let the
postgres user in over TCP without a password: add 'host all postgres 127.0.0.1/32 trust' at the
top of /etc/postgresql/*/main/pg_hba.conf and reload (pg_ctlcluster <version> main reload), or
set TEST_DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/xueji for make test."
fi

# --- Redis ------------------------------------------------------------------------------------
read -r redis_host redis_port < <(host_port "$redis_url" 6379)
redis_ready() { [[ $(redis-cli -h "$redis_host" -p "$redis_port" ping 2>/dev/null) == PONG ]]; }
if is_local "$redis_host"; then
    if ! command -v redis-server >/dev/null; then
        is_root || fail "Redis is not installed. Install it: sudo apt-get install redis-server"
        scripts/apt-install.sh redis-server
    fi
    if ! redis_ready; then
        is_root || fail "Redis is installed but not running. Start it: redis-server --daemonize yes --port $redis_port"
        echo "Starting Redis ..."
        mkdir -p /var/lib/redis /var/log/redis
        redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$redis_port" --save "" --appendonly no \
            --dir /var/lib/redis --logfile /var/log/redis/ci.log
    fi
fi
command -v redis-cli >/dev/null || fail "redis-cli not found: install redis-tools (apt-get install redis-tools)."
wait_for "Redis at $redis_host:$redis_port" redis_ready
echo "PostgreSQL ($pg_host:$pg_port) and Redis ($redis_host:$redis_port) are answering."
