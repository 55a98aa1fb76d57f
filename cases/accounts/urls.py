from django.urls import path

from cases.accounts import identity_views, password_reset_views, platform_login, second_factor_views, views

urlpatterns = [
    path("accounts/signup/", views.signup, name="signup"),
    # Before django.contrib.auth.urls (config/urls.py includes this list first): the same page, audited.
    path(
        "accounts/reset/<uidb64>/<token>/",
        password_reset_views.EmailLinkNewPassword.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/password_reset/sms/", password_reset_views.request_code, name="password-reset-sms"),
    path("accounts/password_reset/sms/code/", password_reset_views.enter_code, name="password-reset-sms-code"),
    path("accounts/password_reset/sms/new/", password_reset_views.new_password, name="password-reset-sms-new"),
    path("accounts/two-factor/", second_factor_views.overview, name="two-factor"),
    path("accounts/two-factor/enrol/", second_factor_views.enrol, name="two-factor-enrol"),
    path("accounts/two-factor/verify/", second_factor_views.verify, name="two-factor-verify"),
    path("accounts/two-factor/recovery-codes/", second_factor_views.recovery_codes, name="two-factor-recovery-codes"),
    path("accounts/two-factor/off/", second_factor_views.turn_off, name="two-factor-off"),
    path("accounts/platform/", platform_login.platform_login, name="oidc_authentication_init"),
    path("accounts/platform/callback/", platform_login.platform_callback, name="oidc_authentication_callback"),
    path("identity/", identity_views.identity_page, name="identity"),
    path("identity/code/", identity_views.send_code, name="identity-send-code"),
    path("identity/verify/", identity_views.verify_code, name="identity-verify-code"),
    path("identity/bindings/<int:binding_id>/revoke/", identity_views.revoke, name="identity-revoke"),
    path("identity/counter/", identity_views.counter, name="identity-counter"),
]
