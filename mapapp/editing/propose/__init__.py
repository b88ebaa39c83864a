"""The proposer: from an article to proposed rows of control.csv and events.csv.

Deterministic, lexicon-driven, no model: the article is read (:mod:`.article`), cut into
words that keep their character offsets, matched against the gazetteer, faction names and
cues an editor keeps in the data folder (:mod:`.lexicon`, :mod:`.mentions`), its date phrases
resolved against the publication date (:mod:`.when`), and each clause that says who holds
or did what where becomes a proposal (:mod:`.proposer`) whose quote is an exact span of the
text. :mod:`.rows` turns a proposal into CSV rows; :mod:`.score` measures proposals against
rows an editor wrote. Nothing here imports Streamlit.
"""
