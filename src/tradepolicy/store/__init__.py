"""Relational store: models, migrations, the audit log and backups."""
