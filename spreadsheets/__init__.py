"""Spreadsheet exports (CSV and XLSX) that are safe to open: every cell a user typed is neutralised
against formula injection, and big tables stream instead of being built in memory.

Not a Django app: a named module the apps' ``resources.py`` and ``admin.py`` build on."""
