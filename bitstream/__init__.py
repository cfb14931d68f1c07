"""Bytes only (never imports torch): the ``.aec`` container, frozen tables and the entropy coder."""
