"""Reading and validating inputs, and glue from validated specs to engine arrays."""
