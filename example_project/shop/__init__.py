"""The example shop's code location."""
