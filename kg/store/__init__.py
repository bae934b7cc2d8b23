"""Where built graphs live and are asked: the pyoxigraph store (`store`), the named questions
(`queries`), answers as text (`results`), and copying to a SPARQL server (`push`).
"""
