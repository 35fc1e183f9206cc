"""Thin blueprints: parse, call the core, render the envelope."""
