"""`python -m quanze` is the `quanze` console script."""

from quanze.graph.cli import main

raise SystemExit(main())
