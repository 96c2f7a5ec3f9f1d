"""Engine adapters: the plain project the generator writes, MkDocs hooks, `mkdocs serve` watching."""
