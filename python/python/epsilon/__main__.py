"""``python -m epsilon``: the ``epsilon`` command line (see ``epsilon.cli``)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
