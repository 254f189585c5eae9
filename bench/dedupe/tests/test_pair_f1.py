"""Tests of bench/dedupe/pair_f1.py.   python3 bench/dedupe/pair_f1.py --self-test
                                    (or: python3 -m unittest discover -s bench/dedupe/tests)

The tiny example, worked by hand (tiny_clusters.csv / tiny_truth.csv):

    truth:      A = {2,3,4}   B = {5,6}   C = {7}   D = {8,9}
    predicted:  x = {2,3}     y = {4,5,6}           z = {7,8,9}

    true pairs      = C(3,2) + C(2,2) + 0 + C(2,2)        = 3 + 1 + 1     = 5
    predicted pairs = C(2,2) + C(3,2) + C(3,2)            = 1 + 3 + 3     = 7
    correct pairs   = {2,3} (x∩A), {5,6} (y∩B), {8,9} (z∩D)               = 3
    precision = 3/7 = 0.4286   recall = 3/5 = 0.6   f1 = 2*3/(7+5) = 0.5

tiny_clusters.csv also has a BOM, a capitalised header, an extra `score` column in the middle
and rows out of order, all of which must be accepted.
"""
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest
from contextlib import redirect_stdout, redirect_stderr

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(os.path.dirname(HERE), "pair_f1.py")
sys.path.insert(0, os.path.dirname(HERE))
import pair_f1  # noqa: E402

CLUSTERS = os.path.join(HERE, "tiny_clusters.csv")
TRUTH = os.path.join(HERE, "tiny_truth.csv")


def write(tmp, name, text, bom=False):
    path = os.path.join(tmp, name)
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        f.write(text)
    return path


class TinyExample(unittest.TestCase):
    def test_counts_by_hand(self):
        m = pair_f1.evaluate(CLUSTERS, TRUTH)
        self.assertEqual((m["pairs_true"], m["pairs_predicted"], m["pairs_correct"]), (5, 7, 3))
        self.assertAlmostEqual(m["precision"], 3 / 7)
        self.assertAlmostEqual(m["recall"], 3 / 5)
        self.assertAlmostEqual(m["f1"], 0.5)
        self.assertEqual((m["rows"], m["clusters"], m["entities"]), (8, 3, 4))

    def test_line(self):
        out = io.StringIO()
        with redirect_stdout(out):
            self.assertEqual(pair_f1.main([CLUSTERS, TRUTH]), 0)
        self.assertEqual(out.getvalue().strip(),
                         "precision 0.4286 recall 0.6000 f1 0.5000 (pairs: true 5, predicted 7, correct 3)")

    def test_json_cli(self):
        p = subprocess.run([sys.executable, SCRIPT, CLUSTERS, TRUTH, "--json"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        m = json.loads(p.stdout)
        self.assertEqual(m["pairs_correct"], 3)
        self.assertAlmostEqual(m["f1"], 0.5)

    def test_truth_against_itself_is_perfect(self):
        with tempfile.TemporaryDirectory() as tmp:
            c = write(tmp, "c.csv", "row,cluster\n2,A\n3,A\n4,A\n5,B\n6,B\n7,C\n8,D\n9,D\n", bom=True)
            m = pair_f1.evaluate(c, TRUTH)
        self.assertEqual((m["precision"], m["recall"], m["f1"]), (1.0, 1.0, 1.0))

    def test_all_singletons(self):
        with tempfile.TemporaryDirectory() as tmp:
            c = write(tmp, "c.csv", "row,cluster\n" + "".join(f"{r},{r}\n" for r in range(2, 10)))
            m = pair_f1.evaluate(c, TRUTH)
        self.assertEqual((m["pairs_predicted"], m["pairs_correct"]), (0, 0))
        self.assertEqual((m["precision"], m["recall"], m["f1"]), (1.0, 0.0, 0.0))

    def test_one_big_cluster(self):
        with tempfile.TemporaryDirectory() as tmp:
            c = write(tmp, "c.csv", "row,cluster\n" + "".join(f"{r},all\n" for r in range(2, 10)))
            m = pair_f1.evaluate(c, TRUTH)
        self.assertEqual((m["pairs_predicted"], m["pairs_correct"]), (28, 5))
        self.assertAlmostEqual(m["precision"], 5 / 28)
        self.assertEqual(m["recall"], 1.0)

    def test_matches_brute_force_on_random_data(self):
        import itertools
        import random
        rnd = random.Random(1)
        rows = list(range(2, 302))
        truth = {r: f"e{rnd.randrange(120)}" for r in rows}
        pred = {r: (truth[r] if rnd.random() < .8 else f"c{rnd.randrange(40)}") for r in rows}
        t = p = c = 0
        for a, b in itertools.combinations(rows, 2):
            st, sp = truth[a] == truth[b], pred[a] == pred[b]
            t += st
            p += sp
            c += st and sp
        self.assertEqual(pair_f1.pair_counts(pred, truth), (t, p, c))


class BadInput(unittest.TestCase):
    def run_cli(self, clusters, truth):
        err = io.StringIO()
        with redirect_stdout(io.StringIO()), redirect_stderr(err):
            code = pair_f1.main([clusters, truth])
        return code, err.getvalue()

    def test_row_sets_differ(self):
        with tempfile.TemporaryDirectory() as tmp:
            c = write(tmp, "c.csv", "row,cluster\n2,x\n3,x\n4,y\n5,y\n6,y\n7,z\n8,z\n10,z\n")
            code, err = self.run_cli(c, TRUTH)
        self.assertEqual(code, 2)
        self.assertIn("row sets differ", err)
        self.assertIn("[9]", err)
        self.assertIn("[10]", err)

    def test_missing_column(self):
        with tempfile.TemporaryDirectory() as tmp:
            c = write(tmp, "c.csv", "row,cluster_id\n2,x\n")
            code, err = self.run_cli(c, TRUTH)
        self.assertEqual(code, 2)
        self.assertIn("no `cluster` column", err)

    def test_duplicate_row(self):
        with tempfile.TemporaryDirectory() as tmp:
            c = write(tmp, "c.csv", "row,cluster\n2,x\n2,y\n")
            code, err = self.run_cli(c, TRUTH)
        self.assertEqual(code, 2)
        self.assertIn("appears twice", err)

    def test_non_integer_row(self):
        with tempfile.TemporaryDirectory() as tmp:
            c = write(tmp, "c.csv", "row,cluster\nabc,x\n")
            code, err = self.run_cli(c, TRUTH)
        self.assertEqual(code, 2)
        self.assertIn("not an integer", err)

    def test_missing_file(self):
        code, err = self.run_cli("/nonexistent/clusters.csv", TRUTH)
        self.assertEqual(code, 2)
        self.assertIn("cannot open", err)


if __name__ == "__main__":
    unittest.main()
