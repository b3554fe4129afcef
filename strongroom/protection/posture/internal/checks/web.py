"""HTTPS, browser-side defences and configuration, checked on the pages as served."""

from __future__ import annotations

import re
import stat
from pathlib import Path

from django.conf import settings
from django.core import checks

from strongroom.config import secret_key_is_weak

from .pages import page, tls_facts
from .registry import Context, Outcome, bad, check, na, ok, warn

YEAR = 365 * 24 * 3600


@check("https.redirect", title="Plain HTTP is redirected to HTTPS", practice="https",
       pci="4.2.1", asvs="12.2.1", weight=3)
def https_redirect(ctx: Context) -> Outcome:
    if ctx.url:
        return na("redirect of the plain-HTTP port is checked in-process only "
                  "(the public address names the HTTPS port)")
    p = page(ctx, "home", secure=False)
    if p.status in (301, 302, 307, 308) and p.location.startswith("https://"):
        return ok(f"http:// answers {p.status} to {p.location.split('/')[2]}")
    return bad(f"a plain-HTTP request got {p.status}, not a redirect to https:// "
               "(SECURE_SSL_REDIRECT is off: is STRONGROOM_DEBUG set?)")


@check("https.hsts", title="HSTS sent for at least a year", practice="https", pci="4.2.1",
       asvs="3.4.1")
def https_hsts(ctx: Context) -> Outcome:
    header = page(ctx, "home").headers.get("strict-transport-security", "")
    m = re.search(r"max-age=(\d+)", header)
    if not m:
        return bad("no Strict-Transport-Security header on the home page")
    age = int(m[1])
    if age >= YEAR:
        return ok(f"max-age={age}")
    return warn(f"max-age={age} is under a year (STRONGROOM_HSTS_SECONDS)")


@check("https.tls_protocol", title="TLS 1.2 or newer only", practice="https", pci="4.2.1",
       asvs="12.1.1", weight=3, critical=True)
def https_tls_protocol(ctx: Context) -> Outcome:
    if not ctx.url:
        return na("no public address to connect to: set STRONGROOM_AUDIT_URL (or --url) "
                  "to test TLS as served")
    facts = tls_facts(ctx)
    if facts.old_protocol_accepted:
        return bad("the server accepts a TLS 1.0/1.1 handshake")
    if facts.version not in ("TLSv1.2", "TLSv1.3"):
        return bad(f"negotiated {facts.version}")
    return ok(f"negotiated {facts.version}; TLS 1.0/1.1 refused")


@check("https.certificate", title="Certificate valid for 30 more days", practice="https",
       pci="4.2.1", asvs="12.2.2")
def https_certificate(ctx: Context) -> Outcome:
    if ctx.url:
        days = tls_facts(ctx).days_left
    else:
        from cryptography import x509  # reading a certificate's dates, no crypto done

        cert = Path(settings.STRONGROOM_DATA_DIR) / "tls" / "server.pem"
        if not cert.is_file():
            return na(f"no certificate at {cert} (TLS ends at a proxy?): set "
                      "STRONGROOM_AUDIT_URL to check the one served")
        expires = x509.load_pem_x509_certificate(cert.read_bytes()).not_valid_after_utc
        days = (expires - ctx.now).days
    if days < 0:
        return bad(f"the certificate expired {-days} days ago")
    if days < 30:
        return warn(f"the certificate expires in {days} days: renew it")
    return ok(f"valid for {days} more days")


@check("https.cookies", title="Cookies Secure, HttpOnly, SameSite, __Host-", practice="https",
       pci="6.2.4", asvs="3.3.1")
def https_cookies(ctx: Context) -> Outcome:
    problems = []
    if not (settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE):
        problems.append("SESSION/CSRF_COOKIE_SECURE off")
    if not settings.SESSION_COOKIE_HTTPONLY:
        problems.append("session cookie readable by scripts")
    cookies = page(ctx, "console").cookies
    for cookie in cookies:
        name = cookie.split("=", 1)[0]
        attrs = cookie.lower()
        if "secure" not in attrs or "samesite" not in attrs:
            problems.append(f"{name} without Secure/SameSite")
        if not name.startswith("__Host-"):
            problems.append(f"{name} without the __Host- prefix")
    if problems:
        return bad("; ".join(problems))
    return ok(f"{len(cookies)} cookie(s) on the console sign-in page, all Secure, SameSite, "
              "__Host-; session cookie HttpOnly")


def _csp(ctx: Context) -> dict[str, str]:
    header = page(ctx, "home").headers.get("content-security-policy", "")
    return {d.split()[0]: d for d in (x.strip() for x in header.split(";")) if d}


@check("headers.csp", title="Strict Content-Security-Policy", practice="https", pci="6.4.1",
       asvs="3.4.3", weight=3)
def headers_csp(ctx: Context) -> Outcome:
    csp = _csp(ctx)
    if not csp:
        return bad("no Content-Security-Policy header")
    scripts = csp.get("script-src", csp.get("default-src", ""))
    if not scripts:
        return bad("CSP without script-src or default-src: scripts from anywhere")
    if "'unsafe-inline'" in scripts and "'nonce-" not in scripts or "'unsafe-eval'" in scripts:
        return bad(f"script policy allows inline or eval: {scripts}")
    if "*" in scripts.split() or "https:" in scripts.split():
        return bad(f"script policy allows any host: {scripts}")
    return ok(scripts)


@check("headers.framing", title="Pages cannot be framed (clickjacking)", practice="https",
       pci="6.4.1", asvs="3.4.6")
def headers_framing(ctx: Context) -> Outcome:
    headers = page(ctx, "home").headers
    ancestors = _csp(ctx).get("frame-ancestors", "")
    if ancestors in ("frame-ancestors 'none'", "frame-ancestors 'self'") or \
            headers.get("x-frame-options", "").upper() in ("DENY", "SAMEORIGIN"):
        return ok(ancestors or f"X-Frame-Options {headers['x-frame-options']}")
    return bad("neither frame-ancestors nor X-Frame-Options restricts framing")


@check("headers.nosniff", title="X-Content-Type-Options: nosniff", practice="https",
       pci="6.2.4", asvs="3.4.4", weight=1)
def headers_nosniff(ctx: Context) -> Outcome:
    value = page(ctx, "home").headers.get("x-content-type-options", "")
    return ok("nosniff") if value.lower() == "nosniff" else bad("header missing")


@check("headers.referrer", title="Referrer-Policy keeps URLs on the site", practice="https",
       pci="6.2.4", asvs="3.4.5", weight=1)
def headers_referrer(ctx: Context) -> Outcome:
    value = page(ctx, "home").headers.get("referrer-policy", "").lower()
    if value in ("no-referrer", "same-origin", "strict-origin",
                 "strict-origin-when-cross-origin"):
        return ok(value)
    return bad(f"Referrer-Policy is {value or 'missing'}")


@check("config.debug", title="Debug mode off", practice="patching", pci="6.5.6", asvs="13.4.2",
       weight=3, critical=True)
def config_debug(ctx: Context) -> Outcome:
    if settings.DEBUG:
        return bad("STRONGROOM_DEBUG is on: tracebacks and dev shortcuts are exposed")
    return ok("off")


@check("config.secret_key", title="Signing secret strong and not shared", practice="encryption",
       pci="8.6.2", asvs="13.3.1", weight=3, critical=True)
def config_secret_key(ctx: Context) -> Outcome:
    if secret_key_is_weak(settings.SECRET_KEY):
        return bad("the secret key is short, repetitive or a known default: run "
                   "`strongroom init` for a new one (all sessions end)")
    return ok(f"{len(settings.SECRET_KEY)} characters, not a known default")


@check("config.deploy", title="`check --deploy` has no warning", practice="patching",
       pci="2.2.1", asvs="13.1.1", weight=2)
def config_deploy(ctx: Context) -> Outcome:
    messages = [m for m in checks.run_checks(include_deployment_checks=True)
                if m.level >= checks.WARNING and not m.is_silenced()
                and not (m.id or "").startswith("posture.")]  # patch.open_findings has it
    if not messages:
        return ok("no warning or error")
    ids = ", ".join(sorted({m.id or "?" for m in messages}))
    return bad(f"{len(messages)} finding(s): {ids}")


@check("config.email_tls", title="Email leaves over TLS", practice="https", pci="4.2.1",
       asvs="12.3.1", weight=1)
def config_email_tls(ctx: Context) -> Outcome:
    backend = settings.EMAIL_BACKEND.rsplit(".", 2)[-2]
    if backend != "smtp":
        return warn(f"email is written by the {backend} backend, not sent: set "
                    "STRONGROOM_EMAIL_URL before customers rely on it")
    if settings.EMAIL_USE_TLS or settings.EMAIL_USE_SSL:
        return ok(f"SMTP to {settings.EMAIL_HOST} with TLS")
    return bad(f"SMTP to {settings.EMAIL_HOST} without TLS: use smtps:// or port 587")


@check("config.database_tls", title="Database connection encrypted when remote",
       practice="https", pci="4.2.1", asvs="12.3.1", weight=2)
def config_database_tls(ctx: Context) -> Outcome:
    db = settings.DATABASES["default"]
    if "sqlite" in db["ENGINE"]:
        return na("SQLite: the database is a local file, no connection to encrypt")
    host = db.get("HOST") or ""
    if host in ("", "localhost", "127.0.0.1", "::1") or host.startswith("/"):
        return ok(f"PostgreSQL on this machine ({host or 'socket'})")
    mode = (db.get("OPTIONS") or {}).get("sslmode", "")
    if mode in ("require", "verify-ca", "verify-full"):
        return ok(f"PostgreSQL at {host} with sslmode={mode}")
    return bad(f"PostgreSQL at {host} without sslmode=require (add ?sslmode=verify-full "
               "to STRONGROOM_DATABASE_URL)")


@check("config.data_dir", title="Data directory private to the store", practice="access",
       pci="7.2.1", asvs="13.3.2", weight=2)
def config_data_dir(ctx: Context) -> Outcome:
    path = Path(settings.STRONGROOM_DATA_DIR)
    if not path.is_dir():
        return bad(f"{path} does not exist: run `strongroom init`")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return bad(f"{path} has mode {mode:o}: run `chmod 700 {path}`")
    return ok(f"{path} mode {mode:o}")

