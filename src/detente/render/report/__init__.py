"""Renderers: turn engine results into terminal tables, plots and documents."""
