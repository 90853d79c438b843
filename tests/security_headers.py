"""The security headers every response must carry (marketplace/security.py), for any test."""

from __future__ import annotations

CSP_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
}
DENIED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb")


def csp(response) -> dict[str, str]:
    """The response's Content-Security-Policy as directive -> sources."""
    policy = response.headers.get("Content-Security-Policy", "")
    pairs = (part.strip().partition(" ") for part in policy.split(";") if part.strip())
    return {name: sources.strip() for name, _, sources in pairs}


def missing_headers(response, production: bool = False) -> list[str]:
    """What the response lacks of the hardening (an empty list when it has it all)."""
    headers = response.headers
    problems = [
        f"{name} {value}"
        for name, value in CSP_DIRECTIVES.items()
        if csp(response).get(name) != value
    ]
    for name, value in {
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }.items():
        if headers.get(name) != value:
            problems.append(f"{name}: {headers.get(name)!r}")
    policy = headers.get("Permissions-Policy", "")
    problems += [f"Permissions-Policy {f}" for f in DENIED_FEATURES if f"{f}=()" not in policy]
    if "unsafe-inline" in headers.get("Content-Security-Policy", ""):
        problems.append("unsafe-inline")
    hsts = headers.get("Strict-Transport-Security")
    if production and not (hsts and hsts.startswith("max-age=") and int(hsts[8:]) >= 15552000):
        problems.append(f"Strict-Transport-Security: {hsts!r}")
    if not production and hsts:
        problems.append("Strict-Transport-Security outside production")
    return problems
