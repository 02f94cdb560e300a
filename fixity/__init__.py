"""Fixity: digests (one read, many algorithms), manifests, signatures, the event chain."""
