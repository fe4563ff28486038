"""Notifications: an outbox table written in the same transaction as the change, and pluggable senders."""
