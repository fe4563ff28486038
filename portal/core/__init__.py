"""Cross-cutting web concerns: locale, error pages, security headers, layout helpers."""
