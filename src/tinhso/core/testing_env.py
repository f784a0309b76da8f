"""A pytest plugin loaded before pytest-django (`-p tinhso.core.testing_env`): the test environment."""

import os

# Tests run with a throwaway key; production refuses to start without its own.
os.environ.setdefault("SECRET_KEY", "test-only-" + "x" * 60)
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("TINHSO_DATA_DIR", os.path.join(os.getcwd(), "var", "test"))
# WhiteNoise warns at start-up when STATIC_ROOT does not exist; tests serve from the finders.
os.makedirs(os.path.join(os.environ["TINHSO_DATA_DIR"], "static"), exist_ok=True)
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("STATIC_FROM_FINDERS", "1")
# The OpenID Connect interoperability tests redirect to relying parties on http://127.0.0.1.
os.environ.setdefault("OIDC_LOOPBACK_HTTP", "1")
# Fees are paid through the fake gateway in tests (production refuses it: eservices.checks).
os.environ.setdefault("ESERVICES_PAYMENT_GATEWAY", "fake")
# Many browser tests sign staff in by password; identity tests turn the rule on with the `settings` fixture.
os.environ.setdefault("IDENTITY_REQUIRE_STAFF_MFA", "0")

# Property tests draw the same examples on every run, so a failure in CI can be reproduced locally.
try:
    from hypothesis import settings as _hypothesis

    _hypothesis.register_profile("tinhso", derandomize=True, deadline=None)
    _hypothesis.load_profile("tinhso")
except ImportError:  # hypothesis is a test dependency only
    pass
