"""Organizations, API keys, requester users and workers."""
