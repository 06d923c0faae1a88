"""`python -m orbitshare.cli ...`: the same as the `orbitshare` console script."""

from orbitshare.cli.app import main

main()
