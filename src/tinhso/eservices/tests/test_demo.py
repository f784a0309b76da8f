import pytest
from django.core.management import call_command

from tinhso.core.agencies import load_agencies
from tinhso.core.models import AuditEntry
from tinhso.eservices.demo import load_demo_catalogue
from tinhso.eservices.models import AuthorityLevel, Procedure, ProcedureVersion, Sector

pytestmark = pytest.mark.usefixtures("demo_units")


@pytest.fixture
def agencies(db):
    load_agencies()


def test_the_demo_catalogue_loads_twenty_procedures_and_is_idempotent(agencies):
    first = load_demo_catalogue()
    assert first["procedures"] == 20 and first["versions"] == 20
    entries = AuditEntry.objects.count()
    assert load_demo_catalogue() == {"sectors": 0, "procedures": 0, "versions": 0}
    assert AuditEntry.objects.count() == entries
    assert Procedure.objects.count() == 20 and ProcedureVersion.objects.count() == 20
    assert Sector.objects.filter(code="ho-tich").exists()


def test_commune_procedures_have_no_fixed_agency_and_province_ones_do(agencies):
    load_demo_catalogue()
    birth = Procedure.objects.get(code="1.001193")
    assert birth.authority_level == AuthorityLevel.COMMUNE and birth.agency is None
    record = Procedure.objects.get(code="2.000488")
    assert record.agency.code == "STP" and record.receiving_agency.code == "TTPVHCC" and record.fee_amount == 200_000
    permit = Procedure.objects.get(code="1.009994").current_version()
    assert sum(step["hours"] for step in permit.steps) == 15 * 8
    assert permit.steps[1]["branch"]["goto"] == "phe_duyet"


def test_the_command_is_a_demo_step(agencies):
    from tinhso.core.management.commands.load_demo import DEMO_STEPS

    assert ("load_eservices_demo",) in DEMO_STEPS
    call_command("load_eservices_demo", verbosity=0)
    assert Procedure.objects.count() == 20


def test_the_demo_citizen_gets_two_applications_and_a_draft_once(agencies):
    from tinhso.core.testing import make_user
    from tinhso.eservices.demo import DEMO_CITIZEN_PHONE, load_demo_applications
    from tinhso.eservices.models import Application, Status

    load_demo_catalogue()
    assert load_demo_applications() == 0  # no demo accounts outside debug mode
    citizen = make_user("Bùi Văn Dân", phone=DEMO_CITIZEN_PHONE)
    assert load_demo_applications() == 3
    assert load_demo_applications() == 0
    statuses = sorted(Application.objects.filter(applicant=citizen).values_list("status", flat=True))
    assert statuses == [Status.DRAFT, Status.REGISTERED, Status.REGISTERED]
    from tinhso.identity.levels import user_level

    citizen.refresh_from_db()
    assert user_level(citizen) == 1  # verified, so the demo citizen can open the draft and apply again
