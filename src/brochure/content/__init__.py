"""Data in: load YAML, validate it into typed models, and the files a project uses."""
