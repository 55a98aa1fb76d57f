"""A small OpenID Connect provider (django-oauth-toolkit) standing in for the province's unified
identity platform in the tests: a project of its own, served by a real server process."""
