"""Outbox, platform client and the reference platform server — to come."""
