#!/usr/bin/env bash
# System services the test suite talks to. PostgreSQL runs on 127.0.0.1:5432 on this
# project's machines; start it if it is installed but down. A machine without it runs the
# PostgreSQL half of the suite as skipped, unless ASSAY_REQUIRE_POSTGRES=1.
set -u
if command -v pg_ctlcluster >/dev/null 2>&1 && command -v pg_lsclusters >/dev/null 2>&1; then
  for version in $(ls /etc/postgresql 2>/dev/null); do
    if ! pg_lsclusters 2>/dev/null | grep -q "^$version .*online"; then
      pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    fi
  done
fi
exit 0
