"""Serving the app: the single-process server, gunicorn workers, and the start-up banner."""
