"""Content checks: format identification, readers (PDF, images, OFD, media), one analysis per file.

``analysis.analyse(pkg, path, ctx)`` is the entry point the items use; ``formats.identify``
is public for other modules (item 1-10, electronic attributes).
"""
