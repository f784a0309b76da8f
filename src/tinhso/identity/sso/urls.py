"""Mounted at /o/ (tinhso/urls.py). No app_name here: django-oauth-toolkit reverses its own views in the top-level
`oauth2_provider` namespace, so this module provides that namespace and `sso` for the platform's own pages."""

from django.urls import include, path, re_path
from oauth2_provider import urls as dot_urls
from oauth2_provider import views as dot_views

from tinhso.identity.sso import mock_vneid, upstream_views, views

provider_patterns = [
    path("authorize/", views.AuthorizeView.as_view(), name="authorize"),
    path("token/", dot_views.TokenView.as_view(), name="token"),
    path("revoke_token/", dot_views.RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect/", dot_views.IntrospectTokenView.as_view(), name="introspect"),
    re_path(
        r"^\.well-known/openid-configuration/?$", views.DiscoveryView.as_view(), name="oidc-connect-discovery-info"
    ),
    path(".well-known/jwks.json", dot_views.JwksInfoView.as_view(), name="jwks-info"),
    path("userinfo/", dot_views.UserInfoView.as_view(), name="user-info"),
    path("logout/", views.LogoutView.as_view(), name="rp-initiated-logout"),
    *dot_urls.metadata_urlpatterns,
]

sso_patterns = [
    path("vneid/", upstream_views.login_view, name="vneid_login"),
    path("vneid/ve/", upstream_views.callback, name="vneid_callback"),
    path("vneid-gia-lap/", mock_vneid.authorize, name="mock_vneid_authorize"),
    path("vneid-gia-lap/.well-known/openid-configuration", mock_vneid.discovery, name="mock_vneid_discovery"),
    path("vneid-gia-lap/token", mock_vneid.token, name="mock_vneid_token"),
    path("vneid-gia-lap/jwks", mock_vneid.jwks, name="mock_vneid_jwks"),
    path("vneid-gia-lap/userinfo", mock_vneid.userinfo, name="mock_vneid_userinfo"),
]

urlpatterns = [
    path("", include((provider_patterns, "oauth2_provider"))),
    path("", include((sso_patterns, "sso"))),
]
