"""applications area of the portal."""
