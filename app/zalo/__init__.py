"""The Zalo Official Account chatbot: webhook events in, verdicts back in the chat.

signature (webhook authentication), events (what Zalo sends), reply (what we answer),
client (the OA API over HTTP), tokens (the access/refresh pair, refreshed by one worker
at a time), models + inbox + outbox (durable events and replies), worker (the delivery
loop started by the application's lifespan).
"""
