"""Entry points: parse input, call a service, print the result."""
