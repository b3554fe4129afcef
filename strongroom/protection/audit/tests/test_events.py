from strongroom.protection.audit.events import (
    DATA_SEEN_EVENTS,
    Actor,
    ActorType,
    AuditEvent,
    Domain,
    events_misplaced,
)


def test_every_event_lies_in_its_domain_range():
    assert events_misplaced() == []
    assert AuditEvent.LOGIN_FAILED.domain is Domain.ACCOUNTS
    assert AuditEvent.FIELD_REVEALED.domain is Domain.ACCESS
    assert AuditEvent.ORDER_REFUNDED.domain is Domain.COMMERCE
    assert AuditEvent.SUBJECT_ERASED.domain is Domain.PRIVACY
    assert AuditEvent.KEK_ROTATED.domain is Domain.VAULT
    assert AuditEvent.SETTING_CHANGED.domain is Domain.SETTINGS
    assert AuditEvent.EXPORT_CREATED.domain is Domain.EXPORTS
    assert AuditEvent.AUDIT_CHECKPOINTED.domain is Domain.SYSTEM
    for event in AuditEvent:
        low, high = event.domain.range
        assert low <= event.value <= high


def test_numbers_are_unique_and_stable():
    values = [e.value for e in AuditEvent]
    assert len(values) == len(set(values))  # IntEnum aliases would hide a renumbering
    assert AuditEvent.LOGIN_SUCCEEDED == 1000
    assert AuditEvent.ORDER_PLACED == 3000


def test_data_seen_events_are_reads_of_customer_data():
    assert AuditEvent.FIELD_REVEALED in DATA_SEEN_EVENTS
    assert AuditEvent.LOGIN_SUCCEEDED not in DATA_SEEN_EVENTS


class _User:
    is_authenticated = True

    def __init__(self, staff):
        self.pk, self.is_staff, self.subject_id = "u1", staff, None


def test_actor_of_user():
    assert Actor.of_user(_User(True)).type is ActorType.STAFF
    assert Actor.of_user(_User(False)).type is ActorType.CUSTOMER
    assert Actor.of_user(None).type is ActorType.ANONYMOUS
