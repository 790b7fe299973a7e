"""The clinical evidence data the reports compare with (versioned files in the package).

    cordtrack evidence version      the data version and the guides it was copied from
    cordtrack evidence check        the files against their manifest (exit 1 on a difference)
    cordtrack evidence coverage     which baseline AIS x level group x outcome has a reference
                                    (the Markdown of docs/evidence-coverage.md)
    cordtrack evidence figures      every natural-history figure with its source, as CSV

exit status: 0 done, 1 the files disagree with their manifest
"""

from __future__ import annotations

import argparse
import csv
import sys

NAME = "evidence"
HELP = "the versioned evidence figures: version, check, coverage"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["version", "check", "coverage", "figures"])


def run(args: argparse.Namespace) -> int:
    from cordtrack.clinical import evidence, evidence_files

    if args.action == "version":
        info = evidence_files.manifest()
        print(f"evidence data {info['version']}, copied from:")
        for guide in info["copied_from"]:
            print(f"  {guide}")
        return 0
    if args.action == "check":
        problems = evidence_files.problems()
        for problem in problems:
            print(problem, file=sys.stderr)
        if not problems:
            print(f"evidence data {evidence.EVIDENCE_VERSION}: every file matches its manifest")
        return 1 if problems else 0
    if args.action == "coverage":
        from cordtrack.outcomes.coverage import markdown

        sys.stdout.write(markdown() + "\n")
        return 0
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["id", "outcome", "baseline_ais", "population", "baseline_window",
                     "follow_up", "n", "value", "kind", "citation", "url"])  # fmt: skip
    for f in evidence.natural_history():
        writer.writerow([f.id, f.outcome.value, " ".join(sorted(f.baseline_grades)),
                         f.population, f.baseline.text, f.follow_up, f.n or "", f.shown(),
                         f.kind, f.citation, f.source.url])  # fmt: skip
    return 0
