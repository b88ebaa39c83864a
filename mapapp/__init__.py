"""mapapp: a source-traceable, time-aware control map of southern Damascus.

Folders by runtime (a test keeps the boundaries, tests/test_layout.py):

* ``core/`` -- pure data: read the files, the schema, validate, the typed model, dates, the
  timeline (state on a day), geometry checks. Imports nothing else of mapapp.
* ``draw/`` -- drawing: styles, shapes, popups, layers, words (i18n), escaping, output formats.
* ``web/`` -- the browser side: the bundle and static site, and the JS/CSS renderer.
* ``editing/`` -- the write path: CSV store, review of an edit, revisions, the column docs.
* ``ui/`` -- the Streamlit pages and what only they use. The only folder that imports streamlit.

Data flows one way: files (:mod:`mapapp.core.read`) -> validated tables
(:mod:`mapapp.core.validate`, :mod:`mapapp.core.model`) -> state at a date
(:mod:`mapapp.core.timeline`) -> output (:mod:`mapapp.draw.formats`, the map) -> the page
(``app.py``) and the CLI (``cli.py``).
"""

__version__ = "0.1.0"
