"""Tools around the product: generators, campaigns and benchmarks, not used by the workflow itself."""
