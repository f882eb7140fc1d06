"""Number formats Django uses (FORMAT_MODULE_PATH) where they differ from its own locale files."""
