"""Flat exam files (JSON Lines and CSV, the format of the published ISNCSCI cases): read in blocks
of rows coded for the batch engine, classified, and written as result records.

>>> from cordtrack.flatfiles import JsonLines, classify_block
>>> from cordtrack.flatfiles.json_lines import jsonl_blocks
>>> with open("exams.jsonl", "rb") as f:                       # doctest: +SKIP
...     for block in jsonl_blocks(f):
...         lines, failed = classify_block(block, JsonLines())
"""

from __future__ import annotations

from .block import BLOCK_ROWS, MISSING, Block, Writer, classify_block
from .output import CSV_COLUMNS, Csv, JsonLines, error_record

__all__ = [
    "BLOCK_ROWS",
    "CSV_COLUMNS",
    "MISSING",
    "Block",
    "Csv",
    "JsonLines",
    "Writer",
    "classify_block",
    "error_record",
]
