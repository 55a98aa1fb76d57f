"""The pages that span the sub-domains: landing, home, a case's page, public tracking and
the admin site."""
