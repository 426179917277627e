"""The Zalo Official Account chatbot: webhook events in, verdicts back in the chat.

Flow: the route (router) hands a webhook's event to webhook (with signature, events),
which verifies it, stores it in the inbox and answers 200; the worker (worker, respond,
reply) turns stored events into replies in the outbox and sends them through the OA API
(client), with the token pair kept and refreshed by tokens; inbox, outbox and tokens share
row leases (leases) on the tables of models, and writes arriving together share a
transaction (app.store.batcher). lifecycle starts and stops it all; app.cli.zalo adds
`thatgia zalo set-token`.
"""
