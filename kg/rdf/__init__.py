"""Stage 5, ArticleGraph → RDF under the ontology: namespaces and IRIs (`namespaces`), one named
graph per article with provenance (`graph`), SHACL validation (`validate`).
"""
