"""``python -m hubspoke``: the same as the ``hubspoke`` command."""

from hubspoke.cli import main

main()
