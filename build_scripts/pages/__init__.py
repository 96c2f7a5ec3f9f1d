"""Pages: Markdown writing, a source page's assembly, and the whole corpus -> pages."""
