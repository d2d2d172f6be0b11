"""Experiments: sweeps, comparisons, sensitivity, truth, attribution, calibration, validation."""
