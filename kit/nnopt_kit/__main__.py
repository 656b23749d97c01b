import sys

from nnopt_kit.cli import main

sys.exit(main())
