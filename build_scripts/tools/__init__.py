"""Benchmarks and tools: not part of the build."""
