"""gunicorn settings for a web node (Procfile, deploy/topology.sh, deploy/systemd/jps-web@.service).

Graceful shutdown: on SIGTERM the master closes the listening socket at once (HAProxy's next check
fails and new connections go to the other nodes) and each worker finishes the request it is serving,
for up to ``graceful_timeout`` seconds, before it exits.
"""

import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# HAProxy keeps connections to the node open between requests.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: PTH112 - no Django here
control_socket_disable = True


def child_exit(server: object, worker: object) -> None:
    """A worker's Prometheus figures stay summed in after it exits (multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker: object) -> None:
    """Move the loaded application (Django, its apps, the URL and template caches) out of the cyclic
    garbage collector's reach: a full collection then scans only what requests allocate. Without it
    a request that builds a 1,000-row API page paid a ~90 ms full collection every few pages
    (bench/api_reads.py runs its requests after the same call)."""
    import gc

    gc.freeze()
