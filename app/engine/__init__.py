"""The engine: a claim and its context in, findings, a verdict and advice out.

Pure: it reads the reference data and the learned model it is handed, and imports nothing
from the web framework, the database or the adapters (the API, the web form, the mail
gateway, the Zalo chatbot), which fetch what it needs beforehand and call `assess`. It
reads a typed sender with `app.mailparse`'s address parser, a pure RFC 5322 reader it
shares with the mail gateway. tests/test_layout.py holds it to that.
"""
