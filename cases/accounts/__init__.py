"""Who people are: identity binding to an entity (实名核验), staff accounts, second factor,
sign-in lockout and the identity platform's login."""
