"""Tests of the command line and the pytest plugin; pytester runs pytest in temporary projects."""

pytest_plugins = ["pytester"]
