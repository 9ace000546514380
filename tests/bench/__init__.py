"""Tests of the benchmark and load-test tools in bench/."""
