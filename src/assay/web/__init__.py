"""The web UI: server-rendered pages (Jinja2) and small hand-written ES modules."""
