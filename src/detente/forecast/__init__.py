"""The forecast engine: spatial bargaining models over continuous issue dimensions."""
