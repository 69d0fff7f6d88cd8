"""File formats and validation: every input document is read, checked and compiled here."""
