"""gunicorn settings for Aid Ledger: `gunicorn -c gunicorn.conf.py` (see README, Deploying).

Threaded workers (gthread): a worker's main thread keeps answering gunicorn's heartbeat while
another thread streams a long CSV export, so a full-ledger download is never killed the way a sync
worker is after `timeout` seconds. Every value can be overridden from the environment (listed in
.env.example); a variable that is unset or empty keeps its default, except GUNICORN_ACCESS_LOG,
which empty turns off."""

import multiprocessing
import os


def env(name, default):
    return os.environ.get(name) or default


wsgi_app = "aidledger.wsgi:application"
bind = env("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(env("WEB_CONCURRENCY", multiprocessing.cpu_count()))
threads = int(env("GUNICORN_THREADS", "4"))
# With gthread the heartbeat comes from the worker's main thread, so a streaming response in
# another thread may run for longer than this; a worker that stops answering is still replaced.
timeout = int(env("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so no slow leak can grow a worker without bound.
max_requests = int(env("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Only the proxy may say a request came over HTTPS (X-Forwarded-Proto); list its address here.
forwarded_allow_ips = env("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# "-" (the default) logs requests to stdout; set but empty turns the access log off.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = env("GUNICORN_LOG_LEVEL", "info")
# gunicorn's control socket lives at one fixed path per user; two instances on one machine would
# fight over it, and nothing here uses it.
control_socket_disable = True
