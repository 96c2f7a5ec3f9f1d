"""`python -m build_scripts.generate OUT`: the edition as a plain MkDocs project.

See build_scripts/engines/project.py."""
import sys

from build_scripts.engines.project import main

if __name__ == "__main__":
    sys.exit(main())
