"""The Spark engine (the ``[spark]`` extra): the same analytics on a cluster."""

from scamnet.engine.spark.engine import SparkEngine

__all__ = ["SparkEngine"]
