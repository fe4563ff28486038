"""accounts area of the portal."""
