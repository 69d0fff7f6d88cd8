"""Rendering: words, documented JSON and plots of engine results."""
