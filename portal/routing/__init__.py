"""routing area of the portal."""
