"""Rendering: HTML (Jinja2, autoescape) and RDF serialization."""
