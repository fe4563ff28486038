"""The content pipeline: reads content/, validates it, and loads it into the database."""
