"""Routing: which unit leads an application and which units co-review it, from content/routing.yaml."""
