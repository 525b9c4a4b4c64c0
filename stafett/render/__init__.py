"""Turning the core's values into text for people: tables, the `show` summary,
report tables and CSV, and the handover report in Markdown and HTML.

This layer sits between the core and the CLI: it imports the core's values and
never changes anything. jinja2 and rich are imported here only.
"""
