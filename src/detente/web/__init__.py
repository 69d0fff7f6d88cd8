"""The local web app (``detente serve``): build, run and compare scenarios in a browser."""
