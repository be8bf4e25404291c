"""The dated table of statutory minimum wages: analysis/data/minimum_wages.csv.

Reads every source set under analysis/data/minimum-wage/<set>/ (its rows.csv, written by hand
from the evidence files in that folder, and its PROVENANCE.md), checks each row against the
evidence file it names, and writes the shipped table plus docs/minimum-wage-coverage.md.

Used by scripts/make-reference-tables.py (which also builds the other tables) and on its own:

    python3 scripts/minimum_wages.py          # regenerate both files
    python3 scripts/minimum_wages.py --check  # fail if they differ from what the sources give
    python3 scripts/minimum_wages.py --only core  # one set alone, while a new set is being written

It reads only files inside the repository (the sources, countries.csv, currencies.csv and
usd_exchange_rates.csv), so the check runs on any clone. Python 3 standard library only.
"""

import csv
import io
import os
import re
import sys
import zipfile
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(REPO_ROOT, "analysis", "data")
SETS = os.path.join(DATA, "minimum-wage")
TABLE = os.path.join(DATA, "minimum_wages.csv")
COVERAGE = os.path.join(REPO_ROOT, "docs", "minimum-wage-coverage.md")

SOURCE_COLUMNS = ["country", "region", "currency", "amount", "period", "hours_per_period",
                  "in_force_from", "source", "source_file", "note"]
TABLE_COLUMNS = ["country", "region", "basis", "currency", "amount", "period", "hours_per_period",
                 "hourly_local", "in_force_from", "source", "source_file", "note"]
PERIODS = ("hour", "day", "week", "month")
# Rows the sources themselves call non-statutory (India's national floor level wage) stay in
# their set for the record but are not shipped: the table holds minimums set by law only.
NON_STATUTORY_MARK = "NON-STATUTORY"

# Rows in force before this date are kept only as the value in force on it.
FIRST_DAY = "2015-01-01"

# Countries whose minimum wages are set only per region. Pooled data compares their workers with
# the lowest regional rate, from the first date on which every listed region has a known rate;
# outputs say that this makes the share below the minimum a lower bound.
REGIONAL_ONLY = {
    "CA": ["CA-AB", "CA-BC", "CA-MB", "CA-NB", "CA-NL", "CA-NS", "CA-NT", "CA-NU", "CA-ON",
           "CA-PE", "CA-QC", "CA-SK", "CA-YT"],
}
REGIONAL_ONLY_NAMES = {"CA": "provincial and territorial"}


class SourceError(Exception):
    pass


def decimal(text, what):
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise SourceError("%s: '%s' is not a decimal number" % (what, text))
    if not value.is_finite() or value <= 0:
        raise SourceError("%s: '%s' is not a positive number" % (what, text))
    return value


def plain(value):
    """A Decimal as plain text without exponent or trailing zeros after the point."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def read_table(path, columns):
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != columns:
            raise SourceError("%s: the header must be %s" % (path, ",".join(columns)))
        return list(reader)


# --- evidence --------------------------------------------------------------------------------


def xlsx_rows(path):
    """The first sheet of an .xlsx file as a list of {column letter: text} (shared strings and
    inline strings resolved)."""
    with zipfile.ZipFile(path) as book:
        names = book.namelist()
        shared = []
        if "xl/sharedStrings.xml" in names:
            text = book.read("xl/sharedStrings.xml").decode("utf-8")
            shared = [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<si>(.*?)</si>", text, re.S)]
        sheet = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
    rows = []
    for body in re.findall(r"<row [^>]*>(.*?)</row>", sheet, re.S):
        cells = {}
        for match in re.finditer(r'<c r="([A-Z]+)\d+"([^>]*?)(?:/>|>(.*?)</c>)', body, re.S):
            column, attributes, content = match.group(1), match.group(2), match.group(3) or ""
            if 't="s"' in attributes:
                cells[column] = shared[int(re.search(r"<v>(.*?)</v>", content).group(1))]
            elif "inlineStr" in attributes:
                cells[column] = re.sub(r"<[^>]+>", "", content).strip()
            else:
                value = re.search(r"<v>(.*?)</v>", content)
                cells[column] = value.group(1) if value else ""
        rows.append(cells)
    return rows


def cents(text):
    """A spreadsheet number (7.2500000000000001) as an amount with two decimals."""
    return Decimal(text).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def vz_changes(path, state_sheet):
    """{(state name or '', YYYY-MM-DD): amount} from a Vaghul & Zipperer changes workbook."""
    changes = {}
    for cells in xlsx_rows(path)[1:]:
        if state_sheet:
            name, year, month, day, amount = (cells.get(c, "") for c in "BCDEF")
        else:
            name = ""
            year, month, day, amount = (cells.get(c, "") for c in "ABCD")
        if not (year and month and day and amount):
            continue
        date = "%04d-%02d-%02d" % (int(float(year)), int(float(month)), int(float(day)))
        changes[(name, date)] = cents(amount)
    return changes


# ISO 3166-2 codes of the US states and DC, by the names the Vaghul & Zipperer workbook uses.
US_STATES = {
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA",
    "Colorado": "CO", "Connecticut": "CT", "Delaware": "DE", "District of Columbia": "DC",
    "Florida": "FL", "Georgia": "GA", "Hawaii": "HI", "Idaho": "ID", "Illinois": "IL",
    "Indiana": "IN", "Iowa": "IA", "Kansas": "KS", "Kentucky": "KY", "Louisiana": "LA",
    "Maine": "ME", "Maryland": "MD", "Massachusetts": "MA", "Michigan": "MI", "Minnesota": "MN",
    "Mississippi": "MS", "Missouri": "MO", "Montana": "MT", "Nebraska": "NE", "Nevada": "NV",
    "New Hampshire": "NH", "New Jersey": "NJ", "New Mexico": "NM", "New York": "NY",
    "North Carolina": "NC", "North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK", "Oregon": "OR",
    "Pennsylvania": "PA", "Rhode Island": "RI", "South Carolina": "SC", "South Dakota": "SD",
    "Tennessee": "TN", "Texas": "TX", "Utah": "UT", "Vermont": "VT", "Virginia": "VA",
    "Washington": "WA", "West Virginia": "WV", "Wisconsin": "WI", "Wyoming": "WY",
}


def amount_forms(amount):
    """The ways a source may write an amount: 1412.00, 1412, 1412.0, 1,412.00, 1.412,00, 1 412,00."""
    value = Decimal(amount)
    forms = {amount, plain(value), format(value.quantize(Decimal("0.01")), "f")}
    for form in list(forms):
        whole, _, fraction = form.partition(".")
        groups = "{:,}".format(int(whole))
        for thousands, point in ((",", "."), (".", ","), (" ", ","), ("\u00a0", ","), ("", ",")):
            grouped = groups.replace(",", thousands)
            forms.add(grouped + (point + fraction if fraction else ""))
    return forms


class Evidence:
    """Reads evidence files once each, and checks a row against its file."""

    def __init__(self):
        self.texts = {}
        self.vz = {}

    def text(self, path):
        if path not in self.texts:
            if path.endswith(".xlsx"):
                self.texts[path] = "\n".join(v for row in xlsx_rows(path) for v in row.values())
            else:
                with open(path, encoding="utf-8", errors="replace") as f:
                    self.texts[path] = f.read()
        return self.texts[path]

    def check(self, row, set_dir, what):
        path = os.path.normpath(os.path.join(set_dir, row["source_file"]))
        if not path.startswith(set_dir + os.sep) or not os.path.isfile(path):
            raise SourceError("%s: source_file '%s' is not a file of its set" % (what, row["source_file"]))
        if row["period"] in ("none", "unknown"):
            for quoted in re.findall(r'"([^"]+)"', row["note"]):
                if quoted in self.text(path):
                    return
            raise SourceError("%s: the note quotes no passage of %s" % (what, row["source_file"]))
        if os.path.basename(path).startswith("vz_") and path.endswith(".xlsx"):
            self.check_vz(row, path, what)
            return
        text = self.text(path)
        # A number is found only where it stands alone: 7.25 is not found inside 17.25.
        for form in amount_forms(row["amount"]):
            if re.search(r"(?<!\d)(?<!\d[.,])" + re.escape(form) + r"(?!\d|[.,]\d)", text):
                return
        # A source whose layout glues the amount to a neighbour ("31.12.20223 010,00 zł") is
        # accepted when the note quotes that passage and the passage is in the file.
        for quoted in re.findall(r'"([^"]+)"', row["note"]):
            if quoted in text and any(form in quoted for form in amount_forms(row["amount"])):
                return
        raise SourceError("%s: amount %s is not in %s" % (what, row["amount"], row["source_file"]))

    def check_vz(self, row, path, what):
        """US rows are checked field by field: state, date and amount of a change."""
        state_sheet = "State" in os.path.basename(path)
        if path not in self.vz:
            self.vz[path] = vz_changes(path, state_sheet)
        changes = self.vz[path]
        amount = Decimal(row["amount"])
        if state_sheet:
            names = [name for name, code in US_STATES.items() if "US-" + code == row["region"]]
            if not names or changes.get((names[0], row["in_force_from"])) != amount:
                raise SourceError("%s: no change of %s to %s on %s in %s"
                                  % (what, row["region"], row["amount"], row["in_force_from"], row["source_file"]))
            return
        if changes.get(("", row["in_force_from"])) != amount:
            raise SourceError("%s: no federal change to %s on %s" % (what, row["amount"], row["in_force_from"]))


# --- the table -------------------------------------------------------------------------------


def valid_date(text):
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    year, month, day = (int(part) for part in text.split("-"))
    if not (1938 <= year <= 2099 and 1 <= month <= 12 and day >= 1):
        return False
    days = [31, 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28,
            31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return day <= days


def read_sets(countries, convertible, evidence, warnings, only, sets=SETS):
    """Every row of every set (or of the set named `only`), checked, as (set name, row)."""
    rows = []
    for name in sorted(os.listdir(sets)):
        if only and name != only:
            continue
        set_dir = os.path.join(sets, name)
        if not os.path.isdir(set_dir):
            continue
        for required in ("rows.csv", "PROVENANCE.md"):
            if not os.path.isfile(os.path.join(set_dir, required)):
                raise SourceError("minimum-wage/%s has no %s" % (name, required))
        for line, row in enumerate(read_table(os.path.join(set_dir, "rows.csv"), SOURCE_COLUMNS), start=2):
            what = "minimum-wage/%s/rows.csv line %d" % (name, line)
            row = {key: (value or "").strip() for key, value in row.items()}
            country, region, period = row["country"], row["region"], row["period"]
            if country not in countries:
                raise SourceError("%s: country '%s' is not an ISO 3166-1 code" % (what, country))
            if region and not re.fullmatch(re.escape(country) + r"-[A-Z0-9]{1,3}", region):
                raise SourceError("%s: region '%s' is not an ISO 3166-2 code of %s" % (what, region, country))
            if not valid_date(row["in_force_from"]):
                raise SourceError("%s: in_force_from '%s' is not a date YYYY-MM-DD" % (what, row["in_force_from"]))
            if not row["source"]:
                raise SourceError("%s: source is empty" % what)
            if NON_STATUTORY_MARK in row["note"]:
                warnings.append("%s: not shipped, its source calls it non-statutory" % what)
                continue
            if period in ("none", "unknown"):
                if row["amount"] or row["currency"] or row["hours_per_period"]:
                    raise SourceError("%s: a row of period %s has no amount, currency or hours" % (what, period))
                if not row["note"]:
                    raise SourceError("%s: a row of period %s needs the quoted reason in note" % (what, period))
            elif period in PERIODS:
                decimal(row["amount"], what + ": amount")
                if row["hours_per_period"]:
                    decimal(row["hours_per_period"], what + ": hours_per_period")
                if period == "hour" and row["hours_per_period"] not in ("", "1"):
                    raise SourceError("%s: an hourly rate has hours_per_period 1" % what)
                if row["currency"] not in convertible:
                    warnings.append("%s: %s %s %s left out: no exchange rate for %s is shipped"
                                    % (what, country + ("/" + region if region else ""), row["in_force_from"],
                                       row["currency"], row["currency"]))
                    continue
            else:
                raise SourceError("%s: period '%s' is not one of hour, day, week, month, none, unknown" % (what, period))
            evidence.check(row, set_dir, what)
            row["source_file"] = name + "/" + row["source_file"]
            rows.append((name, row))
    return rows


def hourly(row):
    if row["period"] in ("none", "unknown") or not row["hours_per_period"]:
        return None
    return Decimal(row["amount"]) / Decimal(row["hours_per_period"])


def table_row(row, basis):
    value = hourly(row)
    return {
        "country": row["country"], "region": row["region"], "basis": basis,
        "currency": row["currency"], "amount": row["amount"], "period": row["period"],
        "hours_per_period": row["hours_per_period"],
        "hourly_local": "" if value is None else format(value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP), "f"),
        "in_force_from": row["in_force_from"], "source": row["source"],
        "source_file": row["source_file"], "note": row["note"],
    }


def merge(rows, warnings):
    """One row per jurisdiction and date. The same figure in two sets is kept once (the first
    set's, in name order). Of two different figures, one published before it took effect (its
    note says SCHEDULED) gives way to one reported once in force; any other disagreement is an
    error to resolve in the sources."""
    chosen = {}
    for name, row in rows:
        key = (row["country"], row["region"], row["in_force_from"])
        if key in chosen:
            first_name, first = chosen[key]
            same = (first["period"], first["amount"] and Decimal(first["amount"]), first["currency"]) == \
                   (row["period"], row["amount"] and Decimal(row["amount"]), row["currency"])
            scheduled = ["SCHEDULED" in r["note"] for r in (first, row)]
            if not same and scheduled == [True, False]:
                warnings.append("%s %s %s: %s's enacted %s replaces %s's scheduled %s" % (
                    key[0], key[1] or "national", key[2], name, row["amount"], first_name, first["amount"]))
                chosen[key] = (name, row)
                continue
            if not same and scheduled == [False, True]:
                continue
            if not same:
                raise SourceError("%s %s %s: %s says %s %s per %s, %s says %s %s per %s" % (
                    key[0], key[1] or "national", key[2], first_name, first["amount"], first["currency"],
                    first["period"], name, row["amount"], row["currency"], row["period"]))
            first["confirmed_by"] = first.get("confirmed_by", []) + [name]
            continue
        chosen[key] = (name, row)
    confirmed = sum(1 for _, row in chosen.values() if row.get("confirmed_by"))
    if confirmed:
        warnings.append("%d rows are given alike by two sets (kept from the first)" % confirmed)
    return [row for _, row in chosen.values()]


def trim_to_first_day(rows):
    """Per jurisdiction: drop rows superseded before FIRST_DAY (the last one before it stays, as
    the value in force on that day)."""
    by_jurisdiction = {}
    for row in rows:
        by_jurisdiction.setdefault((row["country"], row["region"]), []).append(row)
    kept = []
    for series in by_jurisdiction.values():
        series.sort(key=lambda r: r["in_force_from"])
        for index, row in enumerate(series):
            later = series[index + 1] if index + 1 < len(series) else None
            if later is None or later["in_force_from"] > FIRST_DAY:
                kept.append(row)
    return kept


def in_force(series, date):
    """The row of a sorted series in force on a date, or None."""
    current = None
    for row in series:
        if row["in_force_from"] <= date:
            current = row
    return current


def lowest_regional(rows):
    """National rows for the countries with only regional minimum wages."""
    derived = []
    for country, regions in sorted(REGIONAL_ONLY.items()):
        series = {region: sorted((r for r in rows if r["country"] == country and r["region"] == region),
                                 key=lambda r: r["in_force_from"]) for region in regions}
        if any(not s for s in series.values()):
            continue
        start = max(s[0]["in_force_from"] for s in series.values())
        dates = sorted({r["in_force_from"] for s in series.values() for r in s if r["in_force_from"] >= start})
        previous = None
        for date in dates:
            current = [in_force(s, date) for s in series.values()]
            if any(hourly(row) is None for row in current):
                previous = None
                continue
            lowest = min(current, key=lambda row: (hourly(row), row["region"]))
            value = hourly(lowest)
            if previous is not None and value == previous:
                continue
            previous = value
            tied = sorted(row["region"] for row in current if hourly(row) == value)
            derived.append({
                "country": country, "region": "", "currency": lowest["currency"],
                "amount": lowest["amount"], "period": lowest["period"],
                "hours_per_period": lowest["hours_per_period"], "in_force_from": date,
                "source": "lowest of the %d %s rates" % (len(regions), REGIONAL_ONLY_NAMES[country]),
                "source_file": lowest["source_file"],
                "note": "no national minimum wage: the lowest of the %s general rates in force (%s); "
                        "comparing pooled workers with it gives a lower bound of the share below "
                        "their local minimum" % (REGIONAL_ONLY_NAMES[country], ", ".join(tied)),
            })
    return derived


def build(countries, convertible, only=None, sets=SETS):
    """The shipped table's rows, sorted, and the warnings met on the way."""
    warnings = []
    evidence = Evidence()
    rows = trim_to_first_day(merge(read_sets(countries, convertible, evidence, warnings, only, sets), warnings))
    for row in rows:
        if row["country"] in REGIONAL_ONLY and not row["region"]:
            raise SourceError("%s: a national row for a country listed in REGIONAL_ONLY" % row["country"])
    basis = {"none": "none", "unknown": "unknown"}
    table = [table_row(row, basis.get(row["period"], "statutory")) for row in rows]
    table += [table_row(row, "lowest_regional") for row in lowest_regional(rows)]
    table.sort(key=lambda r: (r["country"], r["region"], r["in_force_from"]))
    return table, warnings


def render_table(table):
    out = io.StringIO()
    writer = csv.DictWriter(out, TABLE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(table)
    return out.getvalue()


def render_coverage(table, country_names):
    """docs/minimum-wage-coverage.md: what the shipped table covers, per country."""
    lines = [
        "# Minimum wages: what the shipped table covers",
        "",
        "Generated by `scripts/minimum_wages.py` from `analysis/data/minimum_wages.csv`; do not edit.",
        "Each jurisdiction's first date is the change in force on 2015-01-01 (or its first known",
        "change); its last is the latest change the sources give, scheduled ones included.",
        "Every other country, and every date outside a jurisdiction's range, is **not known**:",
        "reports leave its workers out of the share below the local minimum and say why.",
        "",
        "| country | national figure | in force on its first date | latest change | changes | regions (first … latest, changes) |",
        "|---|---|---|---|---|---|",
    ]
    by_country = {}
    for row in table:
        by_country.setdefault(row["country"], []).append(row)
    for country in sorted(by_country):
        rows = by_country[country]
        national = [r for r in rows if not r["region"]]
        if national and national[-1]["basis"] == "none" and len(national) == 1:
            figure, first, last = "no statutory minimum", national[0]["in_force_from"], ""
        elif national:
            rated = [r for r in national if r["basis"] in ("statutory", "lowest_regional")]
            kinds = {"statutory": "statutory", "lowest_regional": "lowest regional rate",
                     "none": "no statutory minimum", "unknown": "not known"}
            figure = "; ".join("%s from %s" % (kinds[r["basis"]], r["in_force_from"])
                               for i, r in enumerate(national) if i == 0 or r["basis"] != national[i - 1]["basis"])
            if rated:
                figure += " (%s per %s)" % (rated[-1]["currency"], rated[-1]["period"])
                if not rated[-1]["hours_per_period"]:
                    figure += ", no hours convention: hourly figure not known"
            first, last = national[0]["in_force_from"], national[-1]["in_force_from"]
        else:
            figure, first, last = "not known (regional rates only, not all known)", "", ""
        regions = {}
        for row in rows:
            if row["region"]:
                regions.setdefault(row["region"], []).append(row["in_force_from"])
        region_text = "; ".join("%s %s … %s (%d)" % (r, d[0], d[-1], len(d)) for r, d in sorted(regions.items()))
        name = country_names.get(country, country)
        lines.append("| %s %s | %s | %s | %s | %d | %s |" % (
            country, name, figure, first, last, len(national), region_text or "—"))
    lines += ["", "Sources, licences and gaps: each set's `PROVENANCE.md` under",
              "`analysis/data/minimum-wage/`, summarised in `analysis/data/SOURCES.md`.", ""]
    return "\n".join(lines)


def repository_inputs():
    with open(os.path.join(DATA, "countries.csv"), encoding="utf-8", newline="") as f:
        country_rows = list(csv.DictReader(f))
    with open(os.path.join(DATA, "usd_exchange_rates.csv"), encoding="utf-8", newline="") as f:
        convertible = {row["currency"] for row in csv.DictReader(f)}
    countries = {row["alpha2"] for row in country_rows}
    names = {row["alpha2"]: row["name"] for row in country_rows}
    return countries, convertible, names


def generate(only=None):
    """(table text, coverage text, warnings, rows) from the repository's sources."""
    countries, convertible, names = repository_inputs()
    table, warnings = build(countries, convertible, only)
    return render_table(table), render_coverage(table, names), warnings, len(table)


def main(argv):
    only = argv[argv.index("--only") + 1] if "--only" in argv[1:-1] else None
    try:
        table, coverage, warnings, count = generate(only)
    except SourceError as error:
        print("minimum wages: %s" % error, file=sys.stderr)
        return 1
    for warning in warnings:
        print("minimum wages: %s" % warning, file=sys.stderr)
    if "--check" in argv[1:]:
        stale = []
        for path, text in ((TABLE, table), (COVERAGE, coverage)):
            with open(path, encoding="utf-8") as f:
                if f.read() != text:
                    stale.append(os.path.relpath(path, REPO_ROOT))
        if stale:
            print("minimum wages: %s differ from what the sources give; run python3 scripts/minimum_wages.py"
                  % " and ".join(stale), file=sys.stderr)
            return 1
        print("minimum wages: %d rows, every one checked against its source file" % count)
        return 0
    for path, text in ((TABLE, table), (COVERAGE, coverage)):
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    print("minimum wages: wrote %d rows" % count, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
