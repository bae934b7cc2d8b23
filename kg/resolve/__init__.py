"""Stage 4, spans → ArticleGraph: canonical names, aliases, merging of the mentions of one entity,
and the relations that follow from names (`resolver`).
"""
