"""The benchmark behind `make bench`: see run.py and docs/benchmark.md."""
