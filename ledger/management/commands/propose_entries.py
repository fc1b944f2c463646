"""Print the entries an article supports, as intake would propose them; write nothing."""

import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ledger.intake import alias_index, extract, ledger_data
from ledger.intake.article import ArticleError, read_article
from ledger.intake.engagements import ledger_engagements, match_engagements
from ledger.intake.matching import match
from ledger.intake.parties import people_aliases
from ledger.intake.serialise import proposal_dict, proposal_line
from ledger.intake.text import paragraphs

NO_ENTRIES = (
    "No entries found: the article states no {} that intake recognises. Nothing was proposed and nothing was written."
)
WHAT_IS_PROPOSED = {
    False: "aid figure, trade figure or statement",
    True: "aid figure, trade figure, statement or engagement",
}


class Command(BaseCommand):
    help = (
        "Read an article (.txt or .html) and print the ledger entries it supports, each with its evidence "
        "and its match to existing entries. Writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the article: a .txt file, or a saved .html page")
        parser.add_argument("--published", required=True, help="the article's publication date, YYYY-MM-DD")
        parser.add_argument("--language", choices=["en", "es"], help="the article's language (default: detected)")
        parser.add_argument("--format", choices=["json", "text"], default="text", dest="output_format")
        parser.add_argument("--engagements", action="store_true", help="also propose visits, meetings and calls")

    def handle(self, *args, file, published, language=None, output_format="text", engagements=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            published_on = date.fromisoformat(published)
        except ValueError as error:
            raise CommandError(f"--published must be a date as YYYY-MM-DD, not {published!r}.") from error
        try:
            article = read_article(path, language)
        except ArticleError as error:
            raise CommandError(f"{path}: {error}") from error
        actors = ledger_data.actors()
        index = alias_index(actors, people_aliases(ledger_data.people(), actors))
        proposals = extract(
            article.text, published=published_on, language=article.language, index=index, engagements=engagements
        )
        if not proposals:
            raise CommandError(f"{path}: {NO_ENTRIES.format(WHAT_IS_PROPOSED[engagements])}")
        matched = match_engagements(
            match(proposals, ledger_data.entries()), ledger_engagements() if engagements else []
        )
        printed = [proposal_dict(p) for p in matched]
        source = {
            "file": str(path),
            "published": published_on.isoformat(),
            "language": article.language,
            **article.metadata,
            "paragraphs": len(paragraphs(article.text)),
            "offsets": "characters (Unicode code points) into text",
            "text": article.text,
        }
        if output_format == "json":
            self.stdout.write(json.dumps({"source": source, "proposals": printed}, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{source['headline']} ({source['language']}, published {source['published']})")
        self.stdout.write(f"{len(printed)} proposal{'s' if len(printed) != 1 else ''}, nothing written:")
        for number, data in enumerate(printed, 1):
            self.stdout.write(proposal_line(number, data))
