"""Benchmarks: speed, query counts and memory of Accord's pages, API and reminder runs on
generated data at several sizes (``make bench``)."""
