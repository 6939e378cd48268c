"""gogen: optimized multi-stage Dockerfiles for Go repositories."""

__version__ = "0.1.0"
