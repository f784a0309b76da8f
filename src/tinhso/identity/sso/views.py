"""The provider's endpoints where django-oauth-toolkit needs more: authorisation (prompt, max_age, acr_values,
consent), discovery (acr values), logout (audit, local redirect)."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import NoReverseMatch, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.models import get_application_model
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.views import AuthorizationView, ConnectDiscoveryInfoView, RPInitiatedLogoutView

from tinhso.identity import levels
from tinhso.identity.sso import actions, oidc

REAUTH_KEY = "sso_reauth_since"


@method_decorator(never_cache, name="dispatch")
class AuthorizeView(AuthorizationView):
    """Authorization endpoint: DOT's, with prompt=none/login, max_age, acr_values step-up and remembered consent.

    Anonymous users never reach get(): DOT's handle_no_permission answers prompt=none with login_required and
    sends the others to the login page.
    """

    template_name = "sso/authorize.html"

    def get(self, request, *args, **kwargs):
        try:
            scopes, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError as error:
            return self.error_response(error, application=None)
        application = get_application_model().objects.get(client_id=credentials["client_id"])
        prompt = set(request.GET.get("prompt", "").split())
        silent = "none" in prompt
        if ("login" in prompt or self._too_old(request)) and not self._just_reauthenticated(request):
            if silent:
                return self._error(credentials, application, "login_required")
            return self._reauthenticate(request)
        request.session.pop(REAUTH_KEY, None)
        wanted = oidc.requested_level(request.GET.get("acr_values"))
        if wanted is not None and levels.session_level(request) < wanted:
            if silent:
                return self._error(credentials, application, "interaction_required")
            return self._step_up(request, wanted)
        if actions.has_consent(user=request.user, application=application, scopes=scopes):
            return self._issue(request, scopes, credentials, application)
        if silent:
            return self._error(credentials, application, "consent_required")
        # prompt was handled above; DOT's own handling would send a signed-in user to the login page again.
        request.GET = request.GET.copy()
        request.GET.pop("prompt", None)
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        application = get_application_model().objects.filter(client_id=form.cleaned_data.get("client_id")).first()
        if application is not None:
            allowed = oidc.ClientScopes().get_available_scopes(application)
            scopes = [s for s in (form.cleaned_data.get("scope") or "").split() if s in allowed]
            if form.cleaned_data.get("allow"):
                actions.record_consent(user=self.request.user, application=application, scopes=scopes)
            else:
                actions.refuse_consent(user=self.request.user, application=application, scopes=scopes)
        return super().form_valid(form)

    def create_authorization_response(self, request, scopes, credentials, allow):
        if allow:
            # Stored on the grant: the token endpoint has no session to read acr, amr and auth_time from.
            credentials["tinhso_auth"] = oidc.session_context(request)
        uri, headers, body, status = super().create_authorization_response(request, scopes, credentials, allow)
        if allow:
            application = get_application_model().objects.get(client_id=credentials["client_id"])
            scope_list = scopes.split() if isinstance(scopes, str) else list(scopes)
            actions.record_authorization(
                user=request.user, application=application, scopes=scope_list, context=credentials["tinhso_auth"]
            )
        return uri, headers, body, status

    # --- Helpers ------------------------------------------------------------------------------------------

    def _issue(self, request, scopes, credentials, application):
        try:
            uri, _headers, _body, _status = self.create_authorization_response(
                request=request, scopes=" ".join(scopes), credentials=credentials, allow=True
            )
        except OAuthToolkitError as error:
            return self.error_response(error, application)
        return self.redirect(uri, application)

    def _too_old(self, request) -> bool:
        raw = request.GET.get("max_age")
        if raw is None or not raw.strip().isdigit():
            return False
        auth_time = oidc.session_context(request)["auth_time"]
        return time.time() - auth_time > int(raw)

    def _just_reauthenticated(self, request) -> bool:
        # After the forced sign-in the same request comes back: its auth_time is after the logout, so max_age=0
        # and prompt=login are satisfied once instead of looping.
        since = request.session.get(REAUTH_KEY)
        return since is not None and (levels.session_auth_time(request) or 0) >= since

    def _reauthenticate(self, request):
        actions.record_logout(user=request.user)
        logout(request)
        request.session[REAUTH_KEY] = int(time.time())
        return redirect_to_login(request.get_full_path())

    def _step_up(self, request, wanted: int):
        query = {"next": request.get_full_path()}
        if levels.user_level(request.user) >= wanted:
            # The account has the level but this sign-in did not prove it: sign in through VNeID again.
            return HttpResponseRedirect(f"{reverse('sso:vneid_login')}?{urlencode(query)}")
        try:
            url = reverse("identity:raise_level")
        except NoReverseMatch:
            url = reverse("sso:vneid_login")
        return HttpResponseRedirect(f"{url}?{urlencode({'can': wanted, **query})}")

    def _error(self, credentials, application, error: str):
        """Send an OpenID Connect authentication error to the (validated) redirect URI, never a page or a 500."""
        params = {"error": error}
        if credentials.get("state"):
            params["state"] = credentials["state"]
        params["iss"] = oauth2_settings.oidc_issuer(self.request)
        uri = credentials["redirect_uri"]
        return self.redirect(f"{uri}{'&' if '?' in uri else '?'}{urlencode(params)}", application)


class DiscoveryView(ConnectDiscoveryInfoView):
    """DOT's discovery document plus what it leaves out: acr values, claims, PKCE S256 only."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        data = json.loads(response.content)
        data.update(
            acr_values_supported=oidc.ACR_VALUES,
            claims_supported=sorted(set(data.get("claims_supported", []))),
            code_challenge_methods_supported=["S256"],
            grant_types_supported=["authorization_code", "refresh_token"],
            response_modes_supported=["query"],
            claims_parameter_supported=False,
            request_parameter_supported=False,
            request_uri_parameter_supported=False,
            ui_locales_supported=["vi", "en"],
        )
        patched = JsonResponse(data)
        patched["Access-Control-Allow-Origin"] = "*"
        return patched


class LogoutView(RPInitiatedLogoutView):
    template_name = "sso/logout_confirm.html"

    def do_logout(self, application=None, post_logout_redirect_uri=None, state=None, token_user=None):
        user = token_user or self.request.user
        if user.is_authenticated:
            actions.record_logout(user=user, application=application)
        if post_logout_redirect_uri:
            return super().do_logout(application, post_logout_redirect_uri, state, token_user)
        super().do_logout(application, None, state, token_user)
        return HttpResponseRedirect("/")
