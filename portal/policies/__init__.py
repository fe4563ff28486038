"""Policy guides (政策指南)."""
