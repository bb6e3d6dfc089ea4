"""Layer 4: planning and executing runs (planner, executors, context, IO managers, `materialize`).

Imports definitions, graph and storage; never codelocation, orchestration, server or cli.
"""
