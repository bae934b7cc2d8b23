"""What a build writes: atomic files (`files`), the RDF files of a store (`export`), the entity
network for analysis (`network`), the network page (`page`) and its layout (`layout`).
"""
