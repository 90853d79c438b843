"""Security headers on every response: Content-Security-Policy, framing, sniffing, HSTS."""

from __future__ import annotations

from flask import Flask, Response, current_app


def content_security_policy(directives: dict[str, str]) -> str:
    """The header value of ``{"default-src": "'self'", ...}``, in the order given."""
    return "; ".join(f"{name} {sources}".strip() for name, sources in directives.items())


def permissions_policy(denied: str) -> str:
    """``camera=(), microphone=(), ...``: each feature named (space-separated) refused to all."""
    return ", ".join(f"{feature}=()" for feature in denied.split())


def add_headers(response: Response) -> Response:
    """Set the security headers (after-request hook); a view's own value is kept."""
    config = current_app.config
    headers = {
        "Content-Security-Policy": content_security_policy(config["CONTENT_SECURITY_POLICY"]),
        # frame-ancestors says the same to browsers that know CSP; this is for the others.
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": config["REFERRER_POLICY"],
        "Permissions-Policy": permissions_policy(config["PERMISSIONS_POLICY_DENY"]),
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if config["ENV"] == "production" and config["HSTS_SECONDS"]:
        headers["Strict-Transport-Security"] = f"max-age={int(config['HSTS_SECONDS'])}"
    for name, value in headers.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_headers)
