"""``python -m mapapp``: the command-line interface."""

from mapapp.cli import main

raise SystemExit(main())
