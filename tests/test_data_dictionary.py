from pathlib import Path

from django.conf import settings
from django.test import TestCase

from ledger import exports
from ledger.data_dictionary import markdown


class DataDictionaryTests(TestCase):
    def test_the_page_documents_every_column_of_every_table(self):
        with self.assertNumQueries(0):
            response = self.client.get("/data-dictionary/")
        self.assertEqual(response.status_code, 200)
        for table in exports.TABLES:
            self.assertContains(response, f'id="{table.name}"')
            for column in table.columns:
                self.assertContains(response, f"<code>{column.name}</code>")
        self.assertContains(response, "<code>grant</code>")  # allowed codes are listed
        self.assertContains(response, "Unknown values are empty cells, never 0.")

    def test_the_docs_file_is_the_generated_dictionary(self):
        docs = (Path(settings.BASE_DIR) / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
        self.assertEqual(docs, markdown(), "run: python manage.py data_dictionary > docs/data-dictionary.md")
