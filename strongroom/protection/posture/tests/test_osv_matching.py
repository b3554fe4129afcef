"""OSV range evaluation against the schema's own examples and edge cases (pure
functions: no database)."""

from __future__ import annotations

import pytest

from strongroom.protection.posture.errors import AdvisoryFormatError
from strongroom.protection.posture.internal.cvss import cvss3_score, severity_of
from strongroom.protection.posture.internal.osv import (
    advisory_parse,
    fixed_versions,
    is_vulnerable,
)


def advisory(*ranges, versions=None, withdrawn=None, name="pkg", ecosystem="PyPI", **extra):
    affected = {"package": {"ecosystem": ecosystem, "name": name},
                "ranges": [{"type": t, "events": e} for t, e in ranges]}
    if versions is not None:
        affected["versions"] = versions
    doc = {"id": "TEST-1", "affected": [affected], **extra}
    if withdrawn:
        doc["withdrawn"] = withdrawn
    return advisory_parse(doc, source="test.json")


def hit(adv, version, name="pkg", ecosystem="PyPI") -> bool:
    return is_vulnerable(adv, ecosystem=ecosystem, name=name, version=version)


def test_unfixed_introduced_zero_affects_every_version():
    adv = advisory(("SEMVER", [{"introduced": "0"}]))
    assert all(hit(adv, v) for v in ("0.0.1", "1.0.0", "999.0.0"))


def test_fixed_example_everything_before_the_fix():
    adv = advisory(("SEMVER", [{"introduced": "0"}, {"fixed": "1.0.2"}]))
    assert hit(adv, "1.0.1") and hit(adv, "0.0.0")
    assert not hit(adv, "1.0.2") and not hit(adv, "1.0.3")


def test_multiple_range_example_from_the_schema():
    adv = advisory(("SEMVER", [{"introduced": "1.0.0"}, {"fixed": "1.0.2"},
                               {"introduced": "3.0.0"}, {"fixed": "3.2.5"}]))
    expected = {"0.9.0": False, "1.0.0": True, "1.0.1": True, "1.0.2": False,
                "2.5.0": False, "3.0.0": True, "3.2.4": True, "3.2.5": False, "4.0.0": False}
    assert {v: hit(adv, v) for v in expected} == expected


def test_events_written_out_of_order_are_sorted_first():
    adv = advisory(("ECOSYSTEM", [{"fixed": "3.2.5"}, {"introduced": "3.0"},
                                  {"fixed": "1.0.2"}, {"introduced": "1.0"}]))
    assert hit(adv, "1.0.1") and hit(adv, "3.1")
    assert not hit(adv, "2.0") and not hit(adv, "3.2.5")


def test_last_affected_includes_that_version_and_nothing_above():
    adv = advisory(("ECOSYSTEM", [{"introduced": "0"}, {"last_affected": "2.1.214"}]))
    assert hit(adv, "2.1.214") and hit(adv, "1.0")
    assert not hit(adv, "2.1.215")
    fixed = advisory(("SEMVER", [{"introduced": "0"}, {"fixed": "2.1.214"}]))
    assert not hit(fixed, "2.1.214") and hit(fixed, "2.1.213")


def test_limit_bounds_the_range_and_several_limits_widen_it():
    adv = advisory(("ECOSYSTEM", [{"introduced": "1.0"}, {"limit": "2.0"}]))
    assert hit(adv, "1.0") and hit(adv, "1.9")
    assert not hit(adv, "2.0") and not hit(adv, "2.5") and not hit(adv, "0.9")
    star = advisory(("ECOSYSTEM", [{"introduced": "1.0"}, {"limit": "*"}]))
    assert hit(star, "100.0")
    two = advisory(("ECOSYSTEM", [{"introduced": "1.0"}, {"limit": "2.0"}, {"limit": "3.0"}]))
    assert hit(two, "2.5") and not hit(two, "3.0")


def test_several_ranges_are_a_union():
    adv = advisory(("ECOSYSTEM", [{"introduced": "1.0"}, {"fixed": "1.1"}]),
                   ("ECOSYSTEM", [{"introduced": "2.0"}, {"fixed": "2.1"}]))
    assert hit(adv, "1.0.5") and hit(adv, "2.0.1")
    assert not hit(adv, "1.5") and not hit(adv, "2.1")


def test_explicit_versions_list_and_git_ranges():
    adv = advisory(("GIT", [{"introduced": "a" * 40}, {"fixed": "b" * 40}]),
                   versions=["1.4.2", "1.4.3"])
    assert hit(adv, "1.4.2") and hit(adv, "1.4.3")
    assert not hit(adv, "1.4.4")  # a GIT range needs the commit graph: not guessed


def test_withdrawn_advisories_never_match():
    adv = advisory(("ECOSYSTEM", [{"introduced": "0"}]), withdrawn="2026-01-01T00:00:00Z")
    assert not hit(adv, "1.0")


def test_other_packages_and_ecosystems_do_not_match_and_names_are_normalised():
    adv = advisory(("ECOSYSTEM", [{"introduced": "0"}]), name="Zope.Interface")
    assert hit(adv, "1.0", name="zope-interface")
    assert not hit(adv, "1.0", name="zope-interfaces")
    assert not hit(adv, "1.0", name="zope-interface", ecosystem="npm")


def test_pep440_ordering_of_pre_releases_and_post_releases():
    adv = advisory(("ECOSYSTEM", [{"introduced": "0"}, {"fixed": "2.0rc1"}]))
    assert hit(adv, "2.0b3") and not hit(adv, "2.0rc1") and not hit(adv, "2.0")
    post = advisory(("ECOSYSTEM", [{"introduced": "1.0.post1"}, {"fixed": "1.1"}]))
    assert not hit(post, "1.0") and hit(post, "1.0.post2")


def test_semver_precedence_of_pre_releases():
    adv = advisory(("SEMVER", [{"introduced": "1.0.0-alpha"}, {"fixed": "1.0.0"}]))
    for version in ("1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta.11",
                    "1.0.0-rc.1"):
        assert hit(adv, version), version
    assert not hit(adv, "1.0.0") and not hit(adv, "0.9.9")
    numeric = advisory(("SEMVER", [{"introduced": "1.0.0-beta.2"}, {"fixed": "1.0.0-beta.11"}]))
    assert hit(numeric, "1.0.0-beta.10")  # numerically, not as text
    assert not hit(numeric, "1.0.0-beta.11")


def test_an_unreadable_bound_reports_rather_than_hides():
    adv = advisory(("ECOSYSTEM", [{"introduced": "0"}, {"fixed": "not a version!"}]))
    assert hit(adv, "1.0")


def test_fixed_versions_lists_the_fixes_above_the_installed_one():
    adv = advisory(("ECOSYSTEM", [{"introduced": "0"}, {"fixed": "1.2.1"}, {"introduced": "2.0"},
                                  {"fixed": "2.3.4"}]))
    assert fixed_versions(adv, ecosystem="PyPI", name="pkg", version="2.1") == ["2.3.4"]
    assert fixed_versions(adv, ecosystem="PyPI", name="pkg", version="1.0") == ["1.2.1", "2.3.4"]


@pytest.mark.parametrize(("doc", "problem"), [
    ([], "not a JSON object"),
    ({"affected": []}, "missing id"),
    ({"id": "X", "affected": [{"package": {"name": "a"}}]}, "package.ecosystem"),
    ({"id": "X", "affected": [{"package": {"ecosystem": "PyPI", "name": "a"},
                               "ranges": [{"type": "ECOSYSTEM", "events": [{"fixed": "1"}]}]}]},
     "at least one introduced"),
    ({"id": "X", "affected": [{"package": {"ecosystem": "PyPI", "name": "a"},
                               "ranges": [{"type": "ECOSYSTEM", "events": [
                                   {"introduced": "0", "fixed": "1"}]}]}]}, "exactly one"),
    ({"id": "X", "affected": [{"package": {"ecosystem": "PyPI", "name": "a"},
                               "ranges": [{"type": "WEIRD", "events": []}]}]}, "range type"),
    ({"id": "X", "aliases": "CVE-1"}, "aliases must be a list"),
])
def test_malformed_documents_name_the_file_and_the_problem(doc, problem):
    with pytest.raises(AdvisoryFormatError) as caught:
        advisory_parse(doc, source="export/BAD-1.json")
    assert "export/BAD-1.json" in caught.value.message
    assert problem in caught.value.message


@pytest.mark.parametrize(("vector", "score"), [
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
    ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:N/A:N", 6.8),
    ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 5.5),
    ("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
])
def test_cvss3_base_scores_match_first_calculator(vector, score):
    assert cvss3_score(vector) == score


def test_severity_prefers_cvss_then_database_label_else_unknown():
    cvss = {"severity": [{"type": "CVSS_V3",
                          "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}
    assert severity_of(cvss)[:2] == ("critical", 9.8)
    assert severity_of({"database_specific": {"severity": "MODERATE"}})[0] == "medium"
    v4 = {"severity": [{"type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N"}]}
    assert severity_of(v4)[0] == "unknown"
