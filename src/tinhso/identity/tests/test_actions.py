import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.core.models import AuditEntry
from tinhso.identity import actions, levels
from tinhso.identity.models import Level, Profile


def test_a_new_account_is_level_zero(citizen):
    assert levels.user_level(citizen) == 0


def test_setting_the_level_stores_source_time_and_audits(citizen, clerk):
    actions.set_assurance_level(user=citizen, level=2, source="vneid")
    citizen.refresh_from_db()
    profile = Profile.objects.get(user=citizen)
    assert profile.assurance_level == Level.VNEID_2 and profile.level_source == "vneid"
    assert profile.level_set_at is not None
    assert levels.user_level(citizen) == 2
    entry = AuditEntry.objects.filter(action="identity.level").first()
    assert entry.changes == {"assurance_level": [0, 2]} and entry.extra["source"] == "vneid"


def test_an_unknown_level_or_source_is_refused(citizen):
    with pytest.raises(ValueError):
        actions.set_assurance_level(user=citizen, level=3, source="vneid")
    with pytest.raises(ValueError):
        actions.set_assurance_level(user=citizen, level=1, source="facebook")


def test_linking_vneid_stores_encrypted_id_and_raises_the_level(citizen):
    actions.link_vneid(
        user=citizen,
        subject="vneid-sub-1",
        id_number="019085001234",
        full_name="Trần Thị Bình",
        birth_date=dt.date(1985, 3, 1),
        level=2,
    )
    profile = Profile.objects.get(user=citizen)
    assert "019085001234" not in profile.id_number_encrypted
    assert profile.id_number == "019085001234"
    assert profile.id_number_masked == "0190******34"
    assert levels.user_level(citizen) == 2


def test_one_vneid_identity_links_to_one_account(citizen, clerk):
    kwargs = dict(subject="vneid-sub-1", id_number="", full_name="", birth_date=None, level=1)
    actions.link_vneid(user=citizen, **kwargs)
    with pytest.raises(ValidationError):
        actions.link_vneid(user=clerk, **kwargs)


def test_one_id_number_belongs_to_one_account(citizen, clerk):
    actions.set_personal_details(user=citizen, birth_date=dt.date(1985, 3, 1), sex="F", id_number="019185001234")
    with pytest.raises(ValidationError):
        actions.set_personal_details(user=clerk, birth_date=dt.date(1985, 3, 1), sex="F", id_number="019185001234")


def test_a_clerk_verifies_a_citizen_in_person(citizen, clerk):
    actions.verify_in_person(
        clerk=clerk, user=citizen, id_number="019185001234", birth_date=dt.date(1985, 1, 2), sex="F"
    )
    assert levels.user_level(citizen) == 1
    assert Profile.objects.get(user=citizen).level_source == "clerk"


def test_a_citizen_cannot_verify_anyone(citizen, db):
    from tinhso.core.testing import make_user

    other = make_user("Người Khác")
    with pytest.raises(PermissionDenied):
        actions.verify_in_person(
            clerk=citizen, user=other, id_number="019185001234", birth_date=dt.date(1985, 1, 2), sex="F"
        )
    assert levels.user_level(other) == 0


def test_verification_refuses_an_id_number_that_contradicts_the_birth_year(citizen, clerk):
    with pytest.raises(ValidationError):
        actions.verify_in_person(
            clerk=clerk, user=citizen, id_number="019185001234", birth_date=dt.date(1990, 1, 2), sex="F"
        )
    assert levels.user_level(citizen) == 0
