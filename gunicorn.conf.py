"""gunicorn reads this file from the directory it is started in (the project's).

The app decides itself which proxy headers to believe (ProxyFix, only when
TRUST_PROXY_HOPS > 0), so gunicorn believes none: by default it would take
X-Forwarded-Proto from any client on loopback or a UNIX socket and call the request HTTPS.
The access log keeps paths without query strings (no personal data in logs)."""

forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}
forwarder_headers = ""
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'

import os  # noqa: E402 (the settings above are read by gunicorn as they are)

# No control socket (gunicorn 25+ opens one under $HOME for its `gunicornc` tool): nothing
# here uses it, and the service's user has no writable home (it failed to start there).
control_socket_disable = True

timeout = 60  # a request (a PDF, an upload) that takes longer is stuck: the worker restarts
graceful_timeout = 30
keepalive = 5


def on_starting(server):
    """Refuse several workers whose sign-in limits would each count on their own (the limit
    multiplied by the number of workers) unless REDIS_URL shares them, or the operator says
    per-process limits are what they want (TEAMAROUND_PER_PROCESS_LIMITS=1)."""
    workers = server.cfg.workers
    if workers > 1 and not os.environ.get("REDIS_URL") \
            and os.environ.get("TEAMAROUND_PER_PROCESS_LIMITS") != "1":
        raise SystemExit(
            f"Refusing to start {workers} workers with rate limits kept in each process: "
            "the sign-in limit would be multiplied by the number of workers. Set REDIS_URL "
            "to share them, or TEAMAROUND_PER_PROCESS_LIMITS=1 to accept this.")
