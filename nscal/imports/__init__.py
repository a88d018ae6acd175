"""Event import from .ics and .csv files: plan first, then apply all or nothing.

``reading`` decodes a file and hands its text to the reader for its type
(``ics_reader`` or ``csv_reader``), which turns it into a ``plan.ImportPlan``: one
``PlannedImport`` per VEVENT or CSV row, with its line number, in the event's
wall-clock time, and the problems it found. ``applying`` hands the plan to the event
services inside a savepoint and keeps the changes only when there were no errors and
it is not a dry run. The caller commits. The import page (``views``) and the
``import-events`` command (``cli``) are the two ways in.

The readers know only the plan and the event services; the dispatch knows the
readers. Nothing here imports its way back up.
"""
