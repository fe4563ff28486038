"""queues area of the portal."""
