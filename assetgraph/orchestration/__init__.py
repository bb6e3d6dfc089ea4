"""Layer 6: the daemon (run queue, run monitoring, schedules, sensors, backfills)."""
