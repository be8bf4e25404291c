#!/usr/bin/env python3
"""Writes the names the extension's settings show beside codes, in English and French:

    extension/names/regions.csv     code,en,fr   the regions a worker can pick (those of the
                                                 minimum-wage table and every US state)
    extension/names/currencies.csv  code,en,fr   the currencies with a shipped exchange rate

Usage (from the repository root): python3 scripts/make-place-names.py [ISO_CODES_DIR]

The names come from Debian's iso-codes package (ISO 3166-2 and ISO 4217 names and their
French translations; `apt-get install iso-codes`), ISO_CODES_DIR defaulting to /usr/share.
The few corrections below are said where they are made. Deterministic: running it again gives
byte-identical files. Country names are not written here: they are the library's shared
table (see analysis/data/SOURCES.md); extension/locale_names.py puts all three into the
extension's messages at build time.
"""

import csv
import gettext
import json
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# iso-codes 4.15's names that differ from the official or usual ones, with the source followed.
REGION_CORRECTIONS = {
    # The English name the Indonesian province is known by (iso-codes: "Jakarta Raya").
    ("ID-JK", "en"): "Jakarta",
    # The official French names of Canada's provinces and territories (Government of Canada,
    # TERMIUM Plus): iso-codes drops or adds a hyphen.
    ("CA-NB", "fr"): "Nouveau-Brunswick",
    ("CA-NT", "fr"): "Territoires du Nord-Ouest",
    ("CA-PE", "fr"): "Île-du-Prince-Édouard",
    # Office québécois de la langue française, "Noms des États américains": iso-codes has
    # "Virginia occidentale" and "Hawaii".
    ("US-WV", "fr"): "Virginie-Occidentale",
    ("US-HI", "fr"): "Hawaï",
}
# ISO 4217 added XCG (Caribbean guilder) in 2025, after iso-codes 4.15.
CURRENCY_ADDITIONS = {"XCG": ("Caribbean Guilder", "Florin caribéen")}


def read_csv(name):
    with open(os.path.join(REPO, name), newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def us_states():
    """The US_STATES list of analysis/src/minimum_wage.rs (the native tests check the names
    cover every region the library offers)."""
    text = open(os.path.join(REPO, "analysis/src/minimum_wage.rs"), encoding="utf-8").read()
    start = text.index("const US_STATES")
    block = text[text.index("[", text.index("=", start)) : text.index("];", start)]
    return [part.strip().strip('"') for part in block.split(",") if part.strip().startswith('"')]


def write(name, rows):
    path = os.path.join(REPO, name)
    with open(path, "w", newline="", encoding="utf-8") as file:
        out = csv.writer(file, lineterminator="\n")
        out.writerow(["code", "en", "fr"])
        out.writerows(rows)
    print(f"{name}: {len(rows)} rows", file=sys.stderr)


def main():
    base = sys.argv[1] if len(sys.argv) > 1 else "/usr/share"
    iso = os.path.join(base, "iso-codes", "json")
    locales = os.path.join(base, "locale")

    subdivisions = {row["code"]: row["name"] for row in json.load(open(os.path.join(iso, "iso_3166-2.json")))["3166-2"]}
    french = gettext.translation("iso_3166-2", locales, languages=["fr"])
    regions = {row["region"] for row in read_csv("analysis/data/minimum_wages.csv") if row["region"]}
    regions.update(us_states())
    rows = []
    for code in sorted(regions):
        english = REGION_CORRECTIONS.get((code, "en"), subdivisions[code])
        rows.append([code, english, REGION_CORRECTIONS.get((code, "fr"), french.gettext(subdivisions[code]))])
    write("extension/names/regions.csv", rows)

    currencies = {row["alpha_3"]: row["name"] for row in json.load(open(os.path.join(iso, "iso_4217.json")))["4217"]}
    french = gettext.translation("iso_4217", locales, languages=["fr"])
    rated = {row["currency"] for row in read_csv("analysis/data/usd_exchange_rates.csv")}
    listed = {row["code"]: row["name"] for row in read_csv("analysis/data/currencies.csv")}
    rows = []
    for code in sorted(rated & set(listed)):
        if code in CURRENCY_ADDITIONS:
            rows.append([code, *CURRENCY_ADDITIONS[code]])
        else:
            rows.append([code, currencies[code], french.gettext(currencies[code])])
    write("extension/names/currencies.csv", rows)


if __name__ == "__main__":
    main()
