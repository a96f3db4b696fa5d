"""Server-rendered pages (Jinja + htmx), each with JSON and CSV twins."""
