"""One django-tables2 table per table page. Every column sorts with the primary key as a
tie-break, so pages never repeat or skip rows."""
