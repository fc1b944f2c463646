"""One FilterSet per table page. The table, its export and the overview's totals all filter through
these, so they always agree on which rows a URL selects."""
