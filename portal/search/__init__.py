"""search area of the portal."""
