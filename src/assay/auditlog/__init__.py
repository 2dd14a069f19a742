"""The audit log: every change and every read of customer data, hash-chained per
organization (docs/security.md)."""
