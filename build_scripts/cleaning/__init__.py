"""Cleaning one source: source.txt + meta.yml + corrections.yml -> blocks, notes, ledger."""
