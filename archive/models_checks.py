"""Catalogue tables: checks (see archive/models.py for the core tables)."""
from __future__ import annotations

from archive.models import Base  # noqa: F401
