"""What thatgia remembers: API keys, tickets, the audit log, reports and indicators.

Plain async functions taking a session; writers commit before they return. Routers, the
web form and the CLI call them directly.
"""
