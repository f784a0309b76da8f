"""The processing records in the admin: visible to administrators, read-only, refused to clerks."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = [
    "admin:eservices_steprecord_changelist",
    "admin:eservices_payment_changelist",
    "admin:eservices_indicatorrollup_changelist",
]


@pytest.mark.parametrize("name", PAGES)
def test_an_administrator_reads_the_processing_records(client, admin_user, name):
    client.force_login(admin_user)
    response = client.get(reverse(name))
    assert response.status_code == 200
    add_url = reverse(name.replace("_changelist", "_add"))
    assert f'href="{add_url}"' not in response.content.decode()


@pytest.mark.parametrize("name", PAGES)
def test_a_clerk_is_kept_out_of_the_processing_records(client, clerk, name):
    client.force_login(clerk)
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
