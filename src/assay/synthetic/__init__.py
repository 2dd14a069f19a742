"""Synthetic data for people to check: prompts (and replies) grown from seeds by a model."""
