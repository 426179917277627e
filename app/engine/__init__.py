"""The engine: a claim and its context in, findings, a verdict and advice out.

Pure: it reads the reference data and the learned model it is handed, and imports nothing
from the web framework, the database or the adapters (the API, the web form, the mail
gateway, the Zalo chatbot), which fetch what it needs beforehand and call `assess`. Its
RFC 5322 address reader (addresses.py, charsets.py) is the one the mail gateway uses too.
tests/test_layout.py holds it to that.
"""
