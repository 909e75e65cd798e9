"""`python -m dmind.edge` runs the CLI."""

from .cli import main

main()
