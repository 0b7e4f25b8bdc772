"""`make bench-scrape`: the scraper's precision/recall/F1 on the annotated dev pages, and s/page.

Scored the Zyte product extraction benchmark's way (see `linkreel.scrape.evaluation`). Two runs:
with the site extractors (what `linkreel scrape` does with the page's URL), and the generic
extractor alone (what any shop without a site class gets; Zyte served its pages from another
domain, so per-domain rules were inactive there).

    .venv/bin/python benchmarks/scrape.py [PAGES_DIR] [--errors]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAGES = Path(os.environ.get("LINKREEL_SHARED_DIR", ROOT.parent / "shared")) / "pages" / "dev"

from linkreel.scrape.evaluation import AnnotatedPage, evaluate, format_table, load_annotated  # noqa: E402
from linkreel.scrape.sites import GenericExtractor, extractor_for  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--errors", action="store_true", help="list every wrong or missing value")
    args = parser.parse_args()
    if not (args.pages / "ground-truth.json").is_file():
        print(f"no ground-truth.json in {args.pages}", file=sys.stderr)
        return 2
    pages = load_annotated(args.pages)

    def with_sites(page: AnnotatedPage):  # noqa: ANN202
        return extractor_for(page.url).extract(page.html, page.url)

    def generic_only(page: AnnotatedPage):  # noqa: ANN202
        return GenericExtractor().extract(page.html, page.url)

    for title, extract in (("with site extractors", with_sites), ("generic extractor only", generic_only)):
        ev = evaluate(pages, extract)
        print(format_table(ev, f"== {title} ({args.pages})"))
        if args.errors:
            for name, score in ev.scores.items():
                for error in score.errors:
                    print(f"  {name}: {error}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
