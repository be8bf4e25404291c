#!/usr/bin/env python3
"""Build the reference tables that the analysis crate compiles in.

Usage (from the repository root):

    python3 scripts/make-reference-tables.py [REALDATA_DIR [OUT_DIR]]

REALDATA_DIR defaults to ../shared/realdata relative to the repository root.
OUT_DIR defaults to analysis/data in the repository.

Writes, deterministically (re-running gives byte-identical files):

    currencies.csv            code,name,minor_unit
    countries.csv             alpha2,name,currency,name_fr
    usd_exchange_rates.csv    currency,period,units_per_usd,source
    ppp_factors.csv           country,year,lcu_per_international_dollar
    minimum_wages.csv         (by scripts/minimum_wages.py, from analysis/data/minimum-wage/)

Python 3 standard library only. Diagnostics (unmapped names, skipped rows) go
to stderr; see analysis/data/SOURCES.md for what every rule means and why.
"""

import csv
import os
import re
import sys
from decimal import ROUND_HALF_UP, Decimal

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Input files, relative to REALDATA_DIR.
ISO4217_CSV = "iso/iso4217_currency_codes_all.csv"
COUNTRY_CODES_CSV = "iso/country-codes_datahub.csv"
FRED_MONTHLY_CSV = "exchange-rates/fred_exchange_rates_monthly.csv"
FRED_ANNUAL_CSV = "exchange-rates/fred_exchange_rates_annual.csv"
WDI_FCRF_CSV = "exchange-rates/worldbank_API_PA.NUS.FCRF_DS2_en_csv_v2_22859.csv"
WDI_PPP_CSV = "exchange-rates/worldbank_API_PA.NUS.PPP_DS2_en_csv_v2_13721.csv"

# Microtask platforms start in 2005: older rates are not emitted.
FIRST_YEAR = 2005
FIRST_MONTH = "2005-01"

# ---------------------------------------------------------------------------
# countries.csv: fixes to the datahub currency column.
#
# datahub lists several codes for some countries; pick the one that prices
# wages there (the national currency, or USD where it is the de facto
# currency and the World Bank reports LCU = USD).
MULTI_CURRENCY_CHOICE = {
    "BT": "BTN",  # INR,BTN: the ngultrum is the national currency (pegged 1:1 to INR)
    "SV": "USD",  # SVC,USD: USD is legal tender since 2001, colón no longer circulates; WDI LCU = USD
    "HT": "HTG",  # HTG,USD
    "LS": "LSL",  # LSL,ZAR: loti (pegged 1:1 to ZAR)
    "NA": "NAD",  # NAD,ZAR: Namibia dollar (pegged 1:1 to ZAR)
    "PA": "PAB",  # PAB,USD: balboa, at par with USD (WDI LCU = 1)
    "UY": "UYU",  # UYU,UYW: UYW is an index unit of account
    "VE": "VES",  # VES,VED: VED is the digital bolívar
}
# datahub leaves the currency of Türkiye empty; ISO 4217 (codes-all.csv,
# entity "TÜRKİYE") gives TRY.
MISSING_CURRENCY_FILL = {"TR": "TRY"}

# ---------------------------------------------------------------------------
# usd_exchange_rates.csv
#
# FRED "Country" -> ISO 4217. Every FRED series in the file is currency per USD.
FRED_COUNTRY_CURRENCY = {
    "Australia": "AUD",
    "Brazil": "BRL",
    "Canada": "CAD",
    "China": "CNY",
    "Denmark": "DKK",
    "Euro": "EUR",
    "Hong Kong": "HKD",
    "India": "INR",
    "Japan": "JPY",
    "Malaysia": "MYR",
    "Mexico": "MXN",
    "New Zealand": "NZD",
    "Norway": "NOK",
    "Singapore": "SGD",
    "South Africa": "ZAR",
    "South Korea": "KRW",
    "Sri Lanka": "LKR",
    "Sweden": "SEK",
    "Switzerland": "CHF",
    "Taiwan": "TWD",
    "Thailand": "THB",
    "United Kingdom": "GBP",
}
# Legacy pre-euro national currencies, and Venezuela (several redenominations:
# the series is not in VES units).
FRED_SKIP = {
    "Austria", "Belgium", "Finland", "France", "Germany", "Greece", "Ireland",
    "Italy", "Netherlands", "Portugal", "Spain", "Venezuela",
}

# World Bank: which WDI row stands for a currency shared by several countries.
# Anything not listed: the first country (by ISO alpha-2) using the currency
# that has a WDI value.
WDI_CANONICAL = {
    "EUR": "EMU",  # Euro area aggregate
    "XOF": "SEN",  # Senegal
    "XAF": "CMR",  # Cameroon
    "XCD": "GRD",  # Grenada
}
# Currencies whose WDI series (for the country that would be used) is not in
# the current unit, so the numbers would be wrong for the ISO code.
WDI_SKIP = {
    "VES": "WDI Venezuela ends in 2017 in bolívares fuertes (VEF); VES = VEF/100000",
    "ZWG": "WDI Zimbabwe is in old Zimbabwe dollars to 2008 and ZWL (RTGS dollar) in 2020-2024, never in ZiG",
    "TMT": "WDI Turkmenistan stops in 2001, in old manat (TMM = 5000 TMT)",
}


def warn(msg):
    print("make-reference-tables: " + msg, file=sys.stderr)


def read_csv_dicts(path, encoding="utf-8"):
    with open(path, encoding=encoding, newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow(header)
        for r in rows:
            w.writerow(r)


def clean_text(s):
    return " ".join(s.replace("\u00a0", " ").split())


def format_rate(text):
    """Rate as a plain decimal string: the source text when it already has at
    most 6 fractional digits, else rounded (half up) to 6 decimal places for
    values >= 1 and to 6 significant digits below 1, trailing zeros dropped."""
    text = text.strip()
    d = Decimal(text)
    if d <= 0:
        raise ValueError("non-positive rate %r" % text)
    if re.fullmatch(r"[0-9]+(\.[0-9]{1,6})?", text):
        return text
    if d >= 1:
        q = d.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    else:
        q = d.quantize(Decimal(1).scaleb(d.adjusted() - 5), rounding=ROUND_HALF_UP)
    s = format(q, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


# ---------------------------------------------------------------------------


def build_currencies(src):
    rows = read_csv_dicts(os.path.join(src, ISO4217_CSV))
    names, minors = {}, {}
    for r in rows:
        code = r["AlphabeticCode"].strip()
        if not code or r["WithdrawalDate"].strip():
            continue
        name = clean_text(r["Currency"])
        minor = r["MinorUnit"].strip()
        if minor in ("-", "N.A.", "N.A"):
            minor = ""
        if minor and not minor.isdigit():
            raise ValueError("bad minor unit %r for %s" % (minor, code))
        names.setdefault(code, set()).add(name)
        minors.setdefault(code, set()).add(minor)
    out = []
    for code in sorted(names):
        if len(minors[code]) != 1:
            raise ValueError("conflicting minor units for %s: %s" % (code, minors[code]))
        if len(names[code]) != 1:
            warn("%s has several names %s; using the first in sort order" % (code, sorted(names[code])))
        out.append((code, sorted(names[code])[0], minors[code].pop()))
    return out


def build_countries(src, active_codes):
    rows = read_csv_dicts(os.path.join(src, COUNTRY_CODES_CSV))
    out = []
    alpha3 = {}
    names_fr = {}
    for r in rows:
        a2 = r["ISO3166-1-Alpha-2"].strip()
        a3 = r["ISO3166-1-Alpha-3"].strip()
        if not re.fullmatch(r"[A-Z]{2}", a2):
            continue
        name = clean_text(r["official_name_en"]) or clean_text(r["UNTERM English Short"]) \
            or clean_text(r["CLDR display name"])
        codes = [c.strip() for c in r["ISO4217-currency_alphabetic_code"].split(",") if c.strip()]
        if len(codes) > 1:
            cur = MULTI_CURRENCY_CHOICE.get(a2)
            if cur not in codes:
                raise ValueError("%s lists %s: add it to MULTI_CURRENCY_CHOICE" % (a2, codes))
        elif codes:
            cur = codes[0]
        else:
            cur = MISSING_CURRENCY_FILL.get(a2, "")
        if cur and cur not in active_codes:
            raise ValueError("%s currency %s is not an active ISO 4217 code" % (a2, cur))
        out.append((a2, name, cur))
        # The UN M49 French short name, from the same UNTERM source as the English one
        # (`UNTERM French Short` less its article, and filled for the 64 territories it leaves
        # empty); see SOURCES.md.
        names_fr[a2] = clean_text(r["official_name_fr"])
        if not names_fr[a2]:
            raise ValueError("%s has no French name" % a2)
        alpha3[a3] = a2
    out.sort()
    if len({r[0] for r in out}) != len(out):
        raise ValueError("duplicate alpha-2 codes in country list")
    return out, alpha3, names_fr


def read_wdi(src, name=WDI_FCRF_CSV):
    """WDI API_ file -> {country code: {year: source text}} (empty cells dropped)."""
    path = os.path.join(src, name)
    with open(path, encoding="utf-8-sig", newline="") as f:
        lines = f.read().splitlines()
    # Preamble: "Data Source", blank, "Last Updated Date", blank; then the header.
    start = next(i for i, l in enumerate(lines) if l.startswith('"Country Name"'))
    reader = csv.reader(lines[start:])
    header = next(reader)
    years = {i: int(h) for i, h in enumerate(header) if re.fullmatch(r"\d{4}", h)}
    data = {}
    for row in reader:
        if len(row) < 4:
            continue
        data[row[1]] = {y: row[i].strip() for i, y in years.items() if i < len(row) and row[i].strip()}
    return data


def build_wdi_series(src, countries, alpha3):
    """currency -> (WDI country code, {year: text}) for every currency countries.csv uses."""
    wdi = read_wdi(src)
    a2_to_a3 = {a2: a3 for a3, a2 in alpha3.items()}
    users = {}
    for a2, _, cur in countries:
        if cur:
            users.setdefault(cur, []).append(a2)
    series = {}
    for cur in sorted(users):
        if cur == "USD":
            continue
        if cur in WDI_SKIP:
            warn("WDI: skipping %s (%s)" % (cur, WDI_SKIP[cur]))
            continue
        candidates = []
        if cur in WDI_CANONICAL:
            candidates.append(WDI_CANONICAL[cur])
            if cur == "EUR":
                candidates.append("DEU")
        candidates += [a2_to_a3[a2] for a2 in sorted(users[cur])]
        for code in candidates:
            if wdi.get(code):
                series[cur] = (code, wdi[code])
                break
        else:
            warn("WDI: no values for %s (countries %s)" % (cur, ",".join(sorted(users[cur]))))
            continue
        if max(series[cur][1]) < FIRST_YEAR:
            warn("WDI: %s (%s) has no value since %d (last %d)"
                 % (cur, series[cur][0], FIRST_YEAR, max(series[cur][1])))
    # Flag implausible year-on-year jumps (possible unit changes) for review.
    for cur, (code, vals) in sorted(series.items()):
        ys = sorted(y for y in vals if y >= FIRST_YEAR - 1)
        for a, b in zip(ys, ys[1:]):
            ratio = Decimal(vals[b]) / Decimal(vals[a])
            if ratio > 20 or ratio < Decimal("0.05"):
                warn("WDI: %s (%s) jumps x%.4g from %d to %d; check units" % (cur, code, ratio, a, b))
    return series


def read_fred_monthly(src):
    rows = read_csv_dicts(os.path.join(src, FRED_MONTHLY_CSV))
    out = {}
    unknown = set()
    for r in rows:
        country = r["Country"].strip()
        if country in FRED_SKIP:
            continue
        cur = FRED_COUNTRY_CURRENCY.get(country)
        if cur is None:
            unknown.add(country)
            continue
        value = r["Exchange rate"].strip()
        if not value:
            continue
        period = r["Date"].strip()[:7]
        if not re.fullmatch(r"\d{4}-\d{2}", period):
            raise ValueError("bad FRED date %r" % r["Date"])
        out.setdefault(cur, {})[period] = value
    if unknown:
        raise ValueError("FRED series without a currency mapping: %s" % sorted(unknown))
    return out


def read_fred_annual(src):
    rows = read_csv_dicts(os.path.join(src, FRED_ANNUAL_CSV))
    out = {}
    for r in rows:
        cur = FRED_COUNTRY_CURRENCY.get(r["Country"].strip())
        if cur and r["Exchange rate"].strip():
            out.setdefault(cur, {})[int(r["Date"][:4])] = r["Exchange rate"].strip()
    return out


def build_rates(wdi_series, fred_monthly):
    rows = [("USD", "1971", "1", "identity")]
    for cur, vals in fred_monthly.items():
        for period, text in vals.items():
            if period >= FIRST_MONTH:
                rows.append((cur, period, format_rate(text), "FRED"))
    for cur, (_, vals) in wdi_series.items():
        for year, text in vals.items():
            if year >= FIRST_YEAR:
                rows.append((cur, str(year), format_rate(text), "WorldBank-WDI"))
    rows.sort(key=lambda r: (r[0], r[1]))
    keys = [(r[0], r[1]) for r in rows]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate (currency, period) rows")
    return rows


# ---------------------------------------------------------------------------


def build_ppp(src, countries, alpha3):
    """PPP conversion factors (GDP, LCU per international dollar) per country and year, from
    2005. Aggregates (regions, income groups) have no alpha-2 code and are left out."""
    wdi = read_wdi(src, WDI_PPP_CSV)
    known = {a2 for a2, _, _ in countries}
    rows = []
    for a3, series in wdi.items():
        a2 = alpha3.get(a3)
        if a2 is None or a2 not in known:
            continue
        for year, text in series.items():
            if year >= FIRST_YEAR:
                rows.append((a2, str(year), format_rate(text)))
    rows.sort()
    return rows


def main(argv):
    src = argv[1] if len(argv) > 1 else os.path.join(REPO_ROOT, "..", "shared", "realdata")
    dst = argv[2] if len(argv) > 2 else os.path.join(REPO_ROOT, "analysis", "data")
    os.makedirs(dst, exist_ok=True)

    currencies = build_currencies(src)
    active = {c[0] for c in currencies}
    countries, alpha3, names_fr = build_countries(src, active)
    wdi_series = build_wdi_series(src, countries, alpha3)
    fred_monthly = read_fred_monthly(src)
    fred_annual = read_fred_annual(src)
    rates = build_rates(wdi_series, fred_monthly)
    rate_currencies = {r[0] for r in rates}
    missing = sorted(rate_currencies - active)
    if missing:
        raise ValueError("rates for non-active currencies: %s" % missing)
    ppp = build_ppp(src, countries, alpha3)

    write_csv(os.path.join(dst, "currencies.csv"), ["code", "name", "minor_unit"], currencies)
    write_csv(os.path.join(dst, "countries.csv"), ["alpha2", "name", "currency", "name_fr"],
              [(a2, name, cur, names_fr[a2]) for a2, name, cur in countries])
    write_csv(os.path.join(dst, "usd_exchange_rates.csv"),
              ["currency", "period", "units_per_usd", "source"], rates)
    write_csv(os.path.join(dst, "ppp_factors.csv"), ["country", "year", "lcu_per_international_dollar"], ppp)
    warn("wrote %d currencies, %d countries, %d rates (%d currencies), %d PPP factors to %s"
         % (len(currencies), len(countries), len(rates), len(rate_currencies), len(ppp), dst))
    # The minimum wages come from sources kept in the repository, checked row by row.
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import minimum_wages
    if dst == os.path.join(REPO_ROOT, "analysis", "data"):
        minimum_wages.main(["minimum_wages.py"])


if __name__ == "__main__":
    main(sys.argv)
