"""The conflict engine: the graph model for conflict resolution (GMCR)."""
