import sys

from stafett.cli.entry import main

sys.exit(main())
