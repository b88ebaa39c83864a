"""mapapp: a source-traceable, time-aware control map of southern Damascus.

Data flows one way: files (:mod:`mapapp.load`) -> validated tables
(:mod:`mapapp.validate`, :mod:`mapapp.model`) -> state at a date (:mod:`mapapp.timeline`)
-> output (:mod:`mapapp.formats`, the map) -> the page and the CLI.
"""

__version__ = "0.1.0"
