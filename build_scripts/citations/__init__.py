"""Citations: CSL-JSON, BibTeX, RIS, meta tags and the Cite box, formatted by citeproc-py."""
