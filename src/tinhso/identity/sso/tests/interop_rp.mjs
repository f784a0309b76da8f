// A relying party built on openid-client (npm, panva; certified RP) run against the live provider by
// test_interop.py: discovery, code + PKCE S256, id_token validation, userinfo, reuse of a code, logout.
// Usage: node interop_rp.mjs <issuer> <client_id> <client_secret> <redirect_uri> <post_logout_uri> <session cookie>
import * as client from "openid-client";

const [issuer, clientId, clientSecret, redirectUri, postLogoutUri, cookie] = process.argv.slice(2);
const report = {};

const config = await client.discovery(new URL(issuer), clientId, clientSecret, undefined, {
  execute: [client.allowInsecureRequests], // http on 127.0.0.1 only, in the test
});
report.issuer = config.serverMetadata().issuer;

const verifier = client.randomPKCECodeVerifier();
const challenge = await client.calculatePKCECodeChallenge(verifier);
const nonce = client.randomNonce();
const state = client.randomState();
const authorizationUrl = client.buildAuthorizationUrl(config, {
  redirect_uri: redirectUri,
  scope: "openid profile phone",
  code_challenge: challenge,
  code_challenge_method: "S256",
  nonce,
  state,
  acr_values: "urn:vn-tn:eid:loa:1",
});

// The browser: the signed-in citizen's cookie, stopping at the redirect to the client.
const answer = await fetch(authorizationUrl, { headers: { cookie }, redirect: "manual" });
const callback = new URL(answer.headers.get("location"));

const checks = { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true };
const tokens = await client.authorizationCodeGrant(config, callback, checks);
report.claims = tokens.claims();
report.userinfo = await client.fetchUserInfo(config, tokens.access_token, report.claims.sub);

try {
  await client.authorizationCodeGrant(config, callback, checks);
  report.reused = "accepted";
} catch (error) {
  report.reused = error.error ?? error.code ?? String(error);
}

const endSession = client.buildEndSessionUrl(config, {
  id_token_hint: tokens.id_token,
  post_logout_redirect_uri: postLogoutUri,
  state: "tam-biet",
});
const logout = await fetch(endSession, { headers: { cookie }, redirect: "manual" });
report.logout = { status: logout.status, location: logout.headers.get("location") };

console.log(JSON.stringify(report));
