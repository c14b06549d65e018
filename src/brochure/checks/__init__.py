"""Checking: content quality, readability, the PDF audit and the reports."""
