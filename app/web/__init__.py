"""The staff web form: templates, CSRF, security headers, highlighting and view models."""
