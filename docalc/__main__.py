"""``python -m docalc``: the same as the ``docalc`` command."""

import sys

from docalc.cli import main

if __name__ == "__main__":
    sys.exit(main())
