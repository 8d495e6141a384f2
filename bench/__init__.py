"""Benchmark harness: statements per action and intake throughput (see bench/README.md)."""
