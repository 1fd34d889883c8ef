"""The figures engine: every published number derived once, column-wise, from record frames.

- :mod:`hubspoke.figures.records`: :class:`~hubspoke.figures.records.RecordFrames`,
  the typed frames of returns and their records, keyed by return id.
- :mod:`hubspoke.figures.counted`: which returns count for an assessment period.
- :mod:`hubspoke.figures.sources`: each return's figure per measure, from the
  documented source (reported total, breakdown, activity or case records),
  and the reconciliation of sources that disagree.
- :mod:`hubspoke.figures.facts`: the evidence behind the indicators and the
  six key outcome measures, for every spoke at once.
- :mod:`hubspoke.figures.totals`: per service and period totals for tables.

No Python object is built per record: everything is pandas and numpy
column operations.
"""
