"""Free text in French: terms for themes and similar ideas (docs/architecture.md "French free text")."""
