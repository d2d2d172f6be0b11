"""The simulation engine: state, phases, outputs and the command line."""
