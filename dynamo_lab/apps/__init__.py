"""Small applications built on the cluster, as a Dynamo client would write them."""

__all__ = ["cart"]
