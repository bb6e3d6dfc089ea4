"""Layer 1: pure declarations (assets, checks, partitions, config, resources, jobs).

No I/O, no database, no threads; heavy libraries are imported only where used.
"""
