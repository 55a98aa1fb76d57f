from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator


class PlatformClaims(OAuth2Validator):
    # Every claim goes with every scope: the platform's names are not the standard ones.
    oidc_claim_scope = None

    def get_additional_claims(self, request):
        return settings.PLATFORM_CLAIMS.get(request.user.username, {})
