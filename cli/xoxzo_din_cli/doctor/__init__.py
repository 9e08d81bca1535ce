"""`xoxzo-din doctor`: XOXZO's troubleshooting checklist, automated. command.py is the command and
runs the checklist: the stack's checks (checks.py), then each number's (number_checks.py), the web
reached through web.py."""
