"""The stack's three tables: every read and write of the routes, numbers and route history tables
goes through this package (the call path's reader included). Their items:
docs/reference/route-items.md and docs/reference/numbers-table.md."""
