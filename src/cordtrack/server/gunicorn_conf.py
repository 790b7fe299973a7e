"""gunicorn's configuration for ``cordtrack serve`` (``-c python:cordtrack.server.gunicorn_conf``).

Threaded workers (``gthread``): a request mostly waits on the database, so a few threads per
process serve more requests than more processes would, at less memory. The application is loaded
once in the master before the workers fork (``preload_app``), so a start-up error shows once and
the workers share its memory. gunicorn's own access log stays off: the application logs each
request itself, as JSON with its request id and without the query string
(:mod:`cordtrack.server.requestlog`); gunicorn's messages use the same JSON formatter.
"""

from __future__ import annotations

import os

# ``cordtrack serve`` passes --bind, --workers and --threads; these are the defaults.
bind = ["127.0.0.1:8000"]
worker_class = "gthread"
threads = 4
preload_app = True
accesslog = None
errorlog = "-"
# A cohort report or a large export may take a while; slower work belongs in the worker.
timeout = 120
graceful_timeout = 30
keepalive = 5
# gunicorn 24+ opens a control socket in ~/.gunicorn by default: two servers on one machine would
# share it, and nothing here uses it.
control_socket_disable = True
# Only the proxy on this machine may tell gunicorn the client's scheme and address.
forwarded_allow_ips = os.environ.get("CORDTRACK_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
