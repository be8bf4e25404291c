"""Tests of scripts/minimum_wages.py: the checks that keep every shipped minimum wage equal to
its evidence must refuse a row that its evidence does not back. Run by scripts/test:

    python3 -m unittest discover -s scripts -p 'test_*.py'
"""

import csv
import os
import shutil
import tempfile
import unittest

import minimum_wages as mw

HEADER = ",".join(mw.SOURCE_COLUMNS) + "\n"


class EvidenceChecks(unittest.TestCase):
    def setUp(self):
        self.countries, self.convertible, _ = mw.repository_inputs()
        self.sets = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.sets)

    def write_set(self, rows, evidence):
        folder = os.path.join(self.sets, "test")
        os.makedirs(os.path.join(folder, "raw"), exist_ok=True)
        with open(os.path.join(folder, "PROVENANCE.md"), "w", encoding="utf-8") as f:
            f.write("# test set\n")
        with open(os.path.join(folder, "raw", "evidence.md"), "w", encoding="utf-8") as f:
            f.write(evidence)
        with open(os.path.join(folder, "rows.csv"), "w", encoding="utf-8", newline="") as f:
            f.write(HEADER + rows)

    def build(self):
        return mw.build(self.countries, self.convertible, sets=self.sets)

    def test_a_row_backed_by_its_evidence_is_shipped(self):
        self.write_set("GB,,GBP,11.44,hour,1,2024-04-01,page,raw/evidence.md,adult rate\n",
                       "Rate from April 2024: 21+ £11.44\n")
        table, _ = self.build()
        self.assertEqual([(r["country"], r["amount"], r["hourly_local"]) for r in table], [("GB", "11.44", "11.4400")])

    def test_an_amount_missing_from_its_evidence_is_refused(self):
        # 1.44 is inside 11.44 but is not the amount there.
        self.write_set("GB,,GBP,1.44,hour,1,2024-04-01,page,raw/evidence.md,adult rate\n",
                       "Rate from April 2024: 21+ £11.44\n")
        with self.assertRaisesRegex(mw.SourceError, "amount 1.44 is not in raw/evidence.md"):
            self.build()

    def test_decimal_commas_and_thousands_separators_are_found(self):
        self.write_set("BR,,BRL,1518.00,month,220,2025-01-01,page,raw/evidence.md,salário mínimo\n"
                       "DE,,EUR,12.82,hour,1,2025-01-01,page,raw/evidence.md,Mindestlohn\n",
                       "R$ 1.518,00 por mês; ab 1. Januar 2025 12,82 Euro\n")
        table, _ = self.build()
        self.assertEqual(len(table), 2)

    def test_malformed_rows_name_the_field(self):
        cases = [
            ("XX,,GBP,1,hour,1,2024-04-01,p,raw/evidence.md,n\n", "country 'XX'"),
            ("GB,FR-75,GBP,1,hour,1,2024-04-01,p,raw/evidence.md,n\n", "region 'FR-75'"),
            ("GB,,GBP,1,fortnight,1,2024-04-01,p,raw/evidence.md,n\n", "period 'fortnight'"),
            ("GB,,GBP,1,hour,1,2024-02-30,p,raw/evidence.md,n\n", "in_force_from '2024-02-30'"),
            ("GB,,GBP,-1,hour,1,2024-04-01,p,raw/evidence.md,n\n", "amount: '-1'"),
            ("GB,,GBP,1,hour,8,2024-04-01,p,raw/evidence.md,n\n", "hours_per_period 1"),
            ("GB,,GBP,1,hour,1,2024-04-01,p,../../../etc/passwd,n\n", "not a file of its set"),
            ("DK,,,,none,,2015-01-01,p,raw/evidence.md,no quote\n", "quotes no passage"),
        ]
        for row, message in cases:
            with self.subTest(row=row):
                self.write_set(row, "1\n")
                with self.assertRaisesRegex(mw.SourceError, message):
                    self.build()

    def test_disagreeing_sets_stop_unless_one_was_only_scheduled(self):
        self.write_set("US,US-VA,USD,13.50,hour,1,2025-01-01,a,raw/evidence.md,n\n"
                       "US,US-VA,USD,12.41,hour,1,2025-01-01,b,raw/evidence.md,n\n", "13.50 12.41\n")
        with self.assertRaisesRegex(mw.SourceError, "says 13.50 USD per hour"):
            self.build()
        self.write_set("US,US-VA,USD,13.50,hour,1,2025-01-01,a,raw/evidence.md,SCHEDULED in 2022\n"
                       "US,US-VA,USD,12.41,hour,1,2025-01-01,b,raw/evidence.md,enacted\n", "13.50 12.41\n")
        table, _ = self.build()
        self.assertEqual([r["amount"] for r in table], ["12.41"])

    def test_the_shipped_table_is_what_the_sources_give(self):
        table, _, _, _ = mw.generate()
        with open(mw.TABLE, encoding="utf-8") as f:
            self.assertEqual(f.read(), table)
        rows = list(csv.DictReader(table.splitlines()))
        # The National Living Wage of April 2024, in pounds, not a 2020 dollar figure.
        gb = [r for r in rows if r["country"] == "GB" and r["in_force_from"] == "2024-04-01"]
        self.assertEqual([r["amount"] for r in gb], ["11.44"])
        self.assertFalse(any("Wikipedia" in r["source"] for r in rows))


if __name__ == "__main__":
    unittest.main()
