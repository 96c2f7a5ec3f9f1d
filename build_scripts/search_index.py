"""`python -m build_scripts.search_index SITE`: the edition's search index over a built site.

See build_scripts/search/index.py."""
import sys

from build_scripts.search.index import main

if __name__ == "__main__":
    sys.exit(main())
