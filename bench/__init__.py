"""casearchive benchmarks: ingest and verify against the machine's physical limits
(openssl, disk) and against the reference tool (bagit.py), side by side in one run.

Run ``python -m bench`` (``make bench``); see bench/README.md.
"""
