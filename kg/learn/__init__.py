"""Learning kg's extraction from annotated articles: gold folders, folds, training, cross-
validation.
"""
