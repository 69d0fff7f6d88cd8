"""Renderers: words, JSON, plots and the report, from engine results."""
