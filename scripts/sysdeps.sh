#!/usr/bin/env bash
# System packages the test suite uses: openssl (to check that AIP signatures
# verify with `openssl cms -verify`), clamav (clamscan: DA/T 70 4-1/4-2 virus
# checks, tested with an EICAR signature database the tests write; no freshclam)
# and clamav-daemon (clamd, for the INSTREAM socket path).  Installed with apt-get where we can;
# with CI=true a missing one fails the run instead of letting tests skip.
# Ingest requires a virus scan by default ([checks] virus_scan = "required"): the test archives
# and the demo use the TEST signature database of samples/signatures.py (EICAR only).  A production
# host also needs real signatures: run `freshclam` (or point [checks] clamav_database at a copy).
set -u
need=()
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v clamscan >/dev/null 2>&1 || need+=(clamav)
{ command -v clamd >/dev/null 2>&1 || [ -x /usr/sbin/clamd ]; } || need+=(clamav-daemon)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null && exit 0
fi
if [ "${CI:-}" = "true" ]; then
  echo "missing system packages: ${need[*]} (and cannot install them)" >&2
  exit 3
fi
echo "warning: missing system packages ${need[*]}; the tests that need them will be skipped" >&2
exit 0
