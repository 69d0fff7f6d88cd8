"""Results in words, JSON-ready dicts and plots, built from engine results."""
