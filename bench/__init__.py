"""The benchmark behind `make bench`: see run.py and the README's "Benchmark" section."""
