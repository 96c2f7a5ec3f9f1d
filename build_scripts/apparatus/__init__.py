"""The apparatus: issue pages, author pages, the glossary, works cited, the editors' worklist."""
