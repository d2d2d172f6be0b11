"""Scenarios: campaign levers as code and the Bass reference case."""
