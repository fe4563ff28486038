"""dashboard area of the portal."""
