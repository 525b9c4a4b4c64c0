import sys

from stafett.cli.app import main

sys.exit(main())
