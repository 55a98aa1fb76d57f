"""ASGI entry point: HTTP through Django (the channels' work orders through IntakeRoute),
websockets through Channels with the Django session."""

from django.core.asgi import get_asgi_application

from config.environment import select_settings

select_settings()  # DJANGO_SETTINGS_MODULE from the environment or .env
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from cases.accounts.second_factor import SecondFactorWebsocketMiddleware  # noqa: E402
from cases.api.intake_route import IntakeRoute  # noqa: E402
from notifications.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        # The channels' work orders take a shorter way than Django's handler (intake_route).
        "http": IntakeRoute(django_asgi_app),
        # Staff who have not passed the second factor get no socket (cases/second_factor.py).
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(SecondFactorWebsocketMiddleware(URLRouter(websocket_urlpatterns)))
        ),
    }
)
