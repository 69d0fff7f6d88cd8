"""detente: an open, transparent workbench for analysing strategic conflicts and negotiations."""

__version__ = "0.1.0"
