"""Stage 1, bytes → Article: read text, web pages and JSON Lines files (`ingest`), tell their
encodings apart (`decode`) and take the article out of a web page (`htmltext`). Nothing else
touches input files.
"""
