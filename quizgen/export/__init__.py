"""Exporting question pools to learning management systems."""
