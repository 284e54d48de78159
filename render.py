"""Render the built-in Korean War map, or anything ``histmap`` does: see ``--help``."""

from histmap.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
