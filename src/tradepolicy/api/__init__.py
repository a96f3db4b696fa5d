"""The HTTP shell: JSON API under /api, web pages elsewhere, one error shape for all."""
