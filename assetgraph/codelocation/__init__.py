"""Layer 5: loading user code in its own process and serving snapshots of its definitions."""
