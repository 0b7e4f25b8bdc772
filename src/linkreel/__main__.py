"""`python -m linkreel …` is the `linkreel` command."""

from linkreel.cli import main

main()
