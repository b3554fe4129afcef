"""Privacy writes: publishing the policy, consent with proof, unsubscribe links,
marketing email. Erasure, export, requests and retention have their own modules
(``erasure``, ``exports``, ``requests``, ``retention``); their services are re-exported
at the bottom so other apps import ``privacy.services`` only.

Callers check authorization; each function's docstring says what it assumes.
"""

from __future__ import annotations

import difflib
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from strongroom.protection.access.selectors import marketing_consent_of
from strongroom.protection.access.services import marketing_consent_set
from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record
from strongroom.publicurl import public_url

from .errors import PrivacyError, PrivacyErrorCode
from .internal import policy
from .internal.policy import text_digest
from .models import ConsentMethod, ConsentRecord, PolicySection, PolicyVersion

# The exact words shown next to each optional purpose's (unticked) box. Changing one
# changes what future proof records hold; old records keep the words their person saw.
CONSENT_WORDING: dict[str, str] = {
    # (No "email" in it: the sign-up form's "Email" field must stay the only match.)
    "marketing_email": "Send me offers and news by e-mail. You can stop them at any time "
                       "in your account or with the link in every message.",
}
# Where an answer came from, as the audit log's reason and MarketingConsent.source say it.
CONSENT_SOURCES: dict[ConsentMethod, str] = {
    ConsentMethod.SIGNUP: "storefront.signup", ConsentMethod.ACCOUNT: "storefront.privacy",
    ConsentMethod.API: "api", ConsentMethod.EMAIL_LINK: "email.unsubscribe",
    ConsentMethod.ERASURE: "privacy.erasure",
}
UNSUBSCRIBE_SALT = "strongroom.privacy.unsubscribe"  # a token for nothing else
UNSUBSCRIBE_MAX_AGE = 400 * 24 * 3600  # an old newsletter's link still works for a year+


# --- the policy ------------------------------------------------------------------------

def policy_publish() -> PolicyVersion:
    """Return the current policy version, publishing a new one first if what the
    inventory, settings and sections generate differs from the latest. Idempotent and
    safe under concurrency (a version number is unique; the loser re-reads)."""
    sections = list(PolicySection.objects.values_list("title", "body"))
    document = policy.policy_document(sections=sections)
    text = policy.policy_text(document)
    digest = text_digest(text)
    latest = PolicyVersion.objects.order_by("-number").first()
    if latest is not None and latest.sha256 == digest:
        return latest
    try:
        with transaction.atomic():
            version = PolicyVersion.objects.create(
                number=(latest.number + 1) if latest else 1, sha256=digest, text=text,
                document=document)
            audit_record(event=AuditEvent.PRIVACY_POLICY_PUBLISHED,
                         actor=Actor.system("privacy.policy"), object=version,
                         reason=f"version {version.number} sha256 {digest[:16]}")
    except IntegrityError:
        return PolicyVersion.objects.order_by("-number").first()
    return version


def policy_changes(*, version: PolicyVersion) -> list[str]:
    """Lines added (+) and removed (-) since the version before ``version``."""
    previous = PolicyVersion.objects.filter(number__lt=version.number).order_by("-number").first()
    if previous is None:
        return []
    diff = difflib.unified_diff(previous.text.splitlines(), version.text.splitlines(),
                                lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def policy_section_save(*, by: Any, title: str, body: str, section_id: int | None = None,
                        position: int = 0) -> PolicySection:
    """The owner's free text; a new policy version follows. Caller checked the permission."""
    title, body = title.strip(), body.strip()
    if not title or not body or len(title) > 120 or len(body) > 5000:
        raise PrivacyError("A section needs a title (up to 120 characters) and a text "
                           "(up to 5000).", code=PrivacyErrorCode.BAD_INPUT)
    with transaction.atomic():
        if section_id is None:
            section = PolicySection.objects.create(title=title, body=body, position=position,
                                                   updated_by=by)
        else:
            section = PolicySection.objects.select_for_update().filter(pk=section_id).first()
            if section is None:
                raise PrivacyError("No such section.", code=PrivacyErrorCode.NOT_FOUND)
            section.title, section.body, section.position = title, body, position
            section.updated_by, section.updated_at = by, timezone.now()
            section.save()
        audit_record(event=AuditEvent.PRIVACY_POLICY_SECTION_CHANGED, actor=by, object=section)
    policy_publish()
    return section


# --- consent ---------------------------------------------------------------------------

def consent_set(*, user: Any, purpose: str, agreed: bool, method: ConsentMethod | str,
                request: HttpRequest | None = None) -> ConsentRecord | None:
    """Record the customer's answer with its proof (the wording and policy version they
    were shown, when, how), if it changes anything; None if it changed nothing. The
    current answer also drives the marketing role's scope (``access.MarketingConsent``)
    and the audit log (CONSENT_GIVEN / CONSENT_WITHDRAWN). Caller: the customer
    themselves (signed in, or holding a valid unsubscribe token)."""
    if purpose not in CONSENT_WORDING:
        raise PrivacyError(f"Unknown purpose {purpose!r}.", code=PrivacyErrorCode.BAD_INPUT)
    method = ConsentMethod(method)
    before = marketing_consent_of(user=user)
    if bool(before and before.agreed) == agreed:
        return None  # nothing changes (checked again under the lock below)
    # The version the person was shown: the current one (published now if the code or
    # the settings changed since); an erasure states no new wording, so the latest.
    version = (PolicyVersion.objects.order_by("-number").first()
               if method == ConsentMethod.ERASURE else None) or policy_publish()
    wording = CONSENT_WORDING[purpose]
    with transaction.atomic():
        before = marketing_consent_of(user=user)
        if bool(before and before.agreed) == agreed:
            return None
        marketing_consent_set(user=user, agreed=agreed, source=CONSENT_SOURCES[method],
                              request=request)
        return ConsentRecord.objects.create(
            user=user, subject_id=user.subject_id, purpose=purpose, agreed=agreed,
            wording=wording, wording_sha256=text_digest(wording), policy_version=version,
            method=method)


def unsubscribe_token(*, user: Any, purpose: str = "marketing_email") -> str:
    return signing.dumps({"u": str(user.pk), "p": purpose}, salt=UNSUBSCRIBE_SALT,
                         compress=True)


def unsubscribe_user(*, token: str) -> tuple[Any, str]:
    """(user, purpose) named by a valid token; PrivacyError for a tampered or expired one."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
        user = get_user_model().objects.get(pk=data["u"])
        purpose = data["p"]
    except (signing.BadSignature, KeyError, TypeError, ValueError, ValidationError,
            ObjectDoesNotExist):
        raise PrivacyError("This link is not valid (it may be incomplete or too old).",
                           code=PrivacyErrorCode.BAD_TOKEN) from None
    if purpose not in CONSENT_WORDING:
        raise PrivacyError("This link is not valid.", code=PrivacyErrorCode.BAD_TOKEN)
    return user, purpose


def unsubscribe(*, token: str, request: HttpRequest | None = None) -> ConsentRecord | None:
    """Withdraw consent through an email link, without signing in."""
    user, purpose = unsubscribe_user(token=token)
    return consent_set(user=user, purpose=purpose, agreed=False,
                       method=ConsentMethod.EMAIL_LINK, request=request)


def marketing_email_send(*, user: Any, subject: str, body: str) -> bool:
    """Send one marketing email if (and only if) the customer agreed; every such email
    carries an unsubscribe link and the one-click List-Unsubscribe headers (RFC 8058).
    Returns whether it was sent."""
    consent = marketing_consent_of(user=user)
    if not (consent and consent.agreed and user.is_active):
        return False
    token = unsubscribe_token(user=user)
    link = public_url(reverse("storefront:privacy_unsubscribe", args=[token]))
    message = EmailMessage(
        subject=f"{settings.STRONGROOM_STORE_NAME}: {subject}",
        body=f"{body}\n\n--\nYou get this because you said yes to offers and news by email.\n"
             f"Stop them with one click: {link}\n",
        to=[str(user.email)],
        headers={"List-Unsubscribe": f"<{link}>",
                 "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
    message.send(fail_silently=False)
    return True


from .erasure import customer_erase, erasure_request  # noqa: E402,F401 - the public surface
from .exports import export_build, export_download, export_request, export_to_file  # noqa: E402,F401
from .requests import (  # noqa: E402,F401
    request_assign,
    request_close,
    request_erase,
    request_open,
    request_verify,
    requests_overdue_alert,
)
from .retention import retention_sweep  # noqa: E402,F401
