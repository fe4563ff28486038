"""visits area of the portal."""
