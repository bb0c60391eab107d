"""Gunicorn settings for production, all overridable from the environment.

    gunicorn -c deploy/gunicorn.conf.py "app:create_app()"

Workers are processes (one per core plus one, the usual starting point for a CPU-bound Flask
app whose requests also wait on PostgreSQL); each runs a few threads so that a request waiting
on the database or a live-ranking stream does not hold a whole process.
"""

import multiprocessing
import os

bind = os.environ.get("HUIWU_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = int(os.environ.get("HUIWU_THREADS", "4"))
# Scanners and tablets keep their connections open between requests.
keepalive = int(os.environ.get("HUIWU_KEEPALIVE", "30"))
timeout = int(os.environ.get("HUIWU_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle workers now and then (with jitter, so they do not all restart at once).
max_requests = int(os.environ.get("HUIWU_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
# The app is built once per worker after the fork: no database connection crosses a fork.
preload_app = False
accesslog = os.environ.get("HUIWU_ACCESS_LOG", "-") or None  # empty: no access log
errorlog = "-"
loglevel = os.environ.get("HUIWU_LOG_LEVEL", "info")
# nginx in front terminates TLS and sets X-Forwarded-*; trust it only from loopback.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips


def post_fork(server, worker):
    """Give every thread a pooled database connection (before the worker builds the app).

    With fewer pooled connections than threads, each request beyond the pool opens and closes
    a connection of its own: a new PostgreSQL process every time. `server.cfg.threads` is the
    final setting, command line included.
    """
    configured = int(os.environ.get("DATABASE_POOL_SIZE", "10") or 10)  # config.py's default
    os.environ["DATABASE_POOL_SIZE"] = str(max(server.cfg.threads, configured))


def post_worker_init(worker):
    """Take the freshly built app out of the garbage collector's sight.

    A worker holds ~400,000 long-lived objects (modules, mappers, compiled statements,
    catalogs) that every full collection would scan again: ~0.3 s in which the worker answers
    nothing, the p99 of a busy check-in door. Frozen objects are never scanned (they are not
    garbage: the app lives as long as the worker); requests' own objects are collected as
    usual. The mappers are configured first so that the first requests do not pay for it.
    """
    import gc

    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    gc.collect()  # what app creation left as garbage must not be frozen with it
    gc.freeze()
