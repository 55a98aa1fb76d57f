"""Every URL pattern the project serves, as the resolver spells it (prefixes joined)."""

from django.urls import URLPattern, URLResolver, get_resolver

# Left out of the access table, each with its reason.
NOT_IN_THE_TABLE = {
    "admin/": "the admin site has its own permission checks; the table samples its index and the audit trail's pages",
    "i18n/": "Django's language switch: public, changes only the visitor's language cookie",
    "static/": "served by WhiteNoise outside the URL resolver (static files are public)",
    "media/": "served from the URL resolver only with DEBUG on; materials and notices go through checked views",
}


def all_routes(patterns=None, prefix: str = "") -> list[str]:
    routes = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes.extend(all_routes(pattern.url_patterns, route))
        elif isinstance(pattern, URLPattern):
            routes.append(route)
    return routes


def routes_to_check() -> set[str]:
    return {route for route in all_routes() if not route.startswith(tuple(NOT_IN_THE_TABLE))}
