"""The shop's assets, by layer."""
