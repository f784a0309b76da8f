import pytest
from oauth2_provider.models import get_application_model

from tinhso.identity.sso.models import ClientPolicy

REDIRECT = "http://127.0.0.1:8765/callback"


@pytest.fixture(autouse=True)
def _mock_vneid(settings):
    settings.VNEID_MOCK = True
    settings.VNEID_DISCOVERY_URL = None


def make_client(
    name="Ứng dụng Sở Y tế",
    *,
    redirect=REDIRECT,
    trusted=False,
    scopes="openid profile phone email",
    may_read_id_number=False,
    public=False,
    post_logout=None,
):
    Application = get_application_model()
    application = Application(
        name=name,
        client_type=Application.CLIENT_PUBLIC if public else Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=redirect,
        post_logout_redirect_uris=post_logout or redirect.rsplit("/", 1)[0] + "/logged-out",
        algorithm=Application.RS256_ALGORITHM,
        client_secret="bi-mat-cua-ung-dung-thu-nghiem",
        hash_client_secret=True,
    )
    application.save()
    ClientPolicy.objects.create(
        application=application, allowed_scopes=scopes, trusted=trusted, may_read_id_number=may_read_id_number
    )
    return application


@pytest.fixture
def rp(db):
    return make_client()


@pytest.fixture
def trusted_rp(db):
    return make_client("Cổng dịch vụ công tỉnh", trusted=True, scopes="openid profile phone email id_number")
