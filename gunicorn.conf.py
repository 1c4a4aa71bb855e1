"""gunicorn reads this file from the directory it is started in (the project's).

The app decides itself which proxy headers to believe (ProxyFix, only when
TRUST_PROXY_HOPS > 0), so gunicorn believes none: by default it would take
X-Forwarded-Proto from any client on loopback or a UNIX socket and call the request HTTPS.
The access log keeps paths without query strings (no personal data in logs)."""

forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}
forwarder_headers = ""
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
