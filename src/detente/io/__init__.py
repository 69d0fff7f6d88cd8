"""File formats and validation: every input detente reads, checked and compiled to engine models."""
