from strongroom.protection.access.ratelimit import reveal_reset, reveal_take


def test_limit_then_refusal_alerts_once_per_window(settings):
    settings.STRONGROOM_REVEAL_LIMIT = 3
    settings.STRONGROOM_REVEAL_WINDOW = 60
    now = 1_000_020.0
    verdicts = [reveal_take(staff_id="s1", now=now) for _ in range(5)]
    assert [v.allowed for v in verdicts] == [True, True, True, False, False]
    assert [v.first_refusal for v in verdicts] == [False, False, False, True, False]
    # another staff member has a budget of their own; the next window starts afresh
    assert reveal_take(staff_id="s2", now=now).allowed
    assert reveal_take(staff_id="s1", now=now + 60).allowed
    reveal_reset(staff_id="s1", now=now)
    assert reveal_take(staff_id="s1", now=now).allowed
