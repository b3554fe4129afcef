"""Classification of apps that cannot carry a ``privacy.py`` of their own: Django's
contrib apps and third-party apps. An app we write declares its fields beside its models
instead (``<app>/privacy.py``)."""

from strongroom.inventory import OPERATIONAL, Use, declare

declare("auth.Permission", OPERATIONAL, system=["id", "name", "content_type", "codename"])
declare("auth.Group", OPERATIONAL, system=["id", "name", "permissions"])
declare("contenttypes.ContentType", OPERATIONAL, system=["id", "app_label", "model"])
# The session row holds the signed-in account's id and step-up stamps; the key is the
# cookie's value (an essential cookie).
declare("sessions.Session", Use("security", "legitimate_interests", "sessions",
                                ("database", "browser")),
        personal={"session_key": "user.device.cookie_id", "session_data": "user.account"},
        system=["expire_date"])
