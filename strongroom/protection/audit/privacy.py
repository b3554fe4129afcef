"""The audit log (data inventory). Actor and subject are pseudonymous ids; the client's
address is encrypted under the actor's own subject (AuditOrigin), erased with them."""

from strongroom.inventory import OPERATIONAL, Use, declare

AUDIT = Use("security", "legitimate_interests", "audit", ("database", "backups", "logs"))

declare("audit.AuditEntry", AUDIT,
        personal={"actor_id": "user.unique_id.pseudonymous",
                  "subject_id": "user.unique_id.pseudonymous", "at_us": "user.behavior"},
        system=["id", "chain", "seq", "event", "actor_type", "object_type", "object_id",
                "fields", "reason", "request_id", "origin_id", "digest"])
declare("audit.AuditChainHead", OPERATIONAL, system=["chain", "seq", "digest"])
declare("audit.AuditCheckpoint", OPERATIONAL, system=["number", "payload", "signature", "key_id"])
declare("audit.AuditOriginSubject", AUDIT, system=["period", "subject"])
declare("audit.AuditOrigin", AUDIT, personal={"ip": "user.device.ip_address"},
        system=["id", "subject"])
