"""Article intake: propose the ledger entries an article supports, each with its evidence.

`extract(text, published=..., language=..., actors=...)` is a pure function returning `Proposal`s;
`match(proposals, existing)` marks the ones an existing entry already holds (same / refines / delivers);
`serialise` turns them into the command's JSON. Nothing here writes to the database."""

from ledger.intake.extract import alias_index, extract
from ledger.intake.matching import match
from ledger.intake.types import Proposal

__all__ = ["Proposal", "alias_index", "extract", "match"]
