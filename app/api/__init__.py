"""The JSON API's routers, each with the schemas it alone uses; schemas.py holds the check's
request and response, which the mail gateway and the web form share."""
