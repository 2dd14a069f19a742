"""The thin HTTP edge: error mapping, credentials, pagination, body limits."""
