"""Stage 2, text → clean text + offset map: web artefacts repaired (`pinyin`), Unicode normalised
and traditional converted to simplified (`t2s`), with every character mapped back into the
original (`normalize`).
"""
