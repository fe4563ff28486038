"""admin area of the portal."""
