"""The `thatgia` command: main.py dispatches; each other module registers its commands."""
