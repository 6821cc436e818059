#!/usr/bin/env bash
# make run: migrate, load the demo (once; later runs leave it alone), then serve the site and run
# a Celery worker with beat side by side until Ctrl-C, which stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=.venv/bin
host=${HOST:-127.0.0.1}
port=${PORT:-8000}
url="http://$host:$port/"

echo "==> Migrating the database…"
"$bin/python" manage.py migrate --noinput
echo "==> Loading the demo (only into an empty database; the first time takes a minute)…"
"$bin/python" manage.py demo_load --url "$url"

web= worker=
stop() {
    trap - EXIT INT TERM
    # The whole process group of the web server: the autoreloader runs it in a child process.
    [[ -n $web ]] && kill -TERM -- "-$web" 2>/dev/null || true
    # Only the worker's main process: it stops its pool and beat itself (warm shutdown).
    [[ -n $worker ]] && kill -TERM "$worker" 2>/dev/null || true
    wait
}
trap stop EXIT INT TERM

echo "==> Starting the web server and the Celery worker (with beat)…"
# The web server in a process group of its own, so that it can be stopped as a whole.
set -m
# --insecure: the static files too, with DEBUG off (the default; DJANGO_DEBUG=true turns it on).
"$bin/python" manage.py runserver --insecure "$host:$port" &
web=$!
"$bin/celery" -A config worker -B -l info &
worker=$!
set +m

# Say where to go once the server answers (it takes a few seconds to start), after its own lines.
for _ in $(seq 60); do
    "$bin/python" -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=1)" \
        "${url}accounts/login/" 2>/dev/null && break
    kill -0 "$web" 2>/dev/null || break
    sleep 0.5
done
echo
echo "==> Xueji is ready: open ${url} in any web browser on this machine."
echo "    Sign in with a demo login and the password listed above (e.g. xikou_registrar, xikou_office)."
echo "    Ctrl-C stops the web server and the Celery worker."
# When either one stops, stop the other too.
wait -n
