"""``python -m lpnet.cli``: the same as the ``lpnet`` command."""

import sys

from . import main

sys.exit(main())
