"""Tests of the bulk importer that check it against the models it writes."""
