#!/usr/bin/env python3
"""Pairwise precision / recall / F1 of a clustering against ground truth.

    python3 bench/dedupe/pair_f1.py CLUSTERS.csv TRUTH.csv [--json]
    python3 bench/dedupe/pair_f1.py --self-test

CLUSTERS.csv needs the columns `row,cluster` (crmkit's and splink_dedupe.py's output; any other
columns such as `score` are ignored). TRUTH.csv needs `row,entity` (written beside the generated
input as X.truth.csv). `row` is the spreadsheet row number (header = row 1). Both files may start
with a UTF-8 BOM; header names are matched case-insensitively after trimming.

A pair is two distinct rows. Predicted pairs = pairs in the same cluster, true pairs = pairs with
the same entity, correct = pairs that are both. They are counted from cluster sizes, never
enumerated: with n_ij = rows in predicted cluster i and true entity j,

    correct   = sum_ij C(n_ij, 2)
    predicted = sum_i  C(n_i., 2)
    true      = sum_j  C(n_.j, 2)

precision = correct / predicted (1.0 when nothing is predicted as duplicate),
recall    = correct / true      (1.0 when there are no true duplicates),
f1        = 2 * correct / (predicted + true)  (= 2PR / (P + R); 1.0 when both are 0).

Exit status: 0 on success, 2 on unusable input (missing column, duplicate or non-numeric row,
empty cluster/entity, or the two files not covering exactly the same rows).
Standard library only, so it runs without the Splink venv.
"""
import csv
import json
import os
import sys
from collections import Counter

csv.field_size_limit(1 << 30)


class InputError(Exception):
    pass


def read_labels(path, label_col):
    """Return {row_number: label} from a CSV with columns `row` and `label_col`."""
    try:
        f = open(path, encoding="utf-8-sig", newline="")
    except OSError as e:
        raise InputError(f"{path}: cannot open: {e.strerror}")
    with f:
        reader = csv.reader(f)
        try:
            header = next(reader)
        except StopIteration:
            raise InputError(f"{path}: empty file (expected a header with `row,{label_col}`)")
        names = [h.strip().lstrip("\ufeff").lower() for h in header]
        for need in ("row", label_col):
            if need not in names:
                raise InputError(f"{path}: no `{need}` column (header: {','.join(header)})")
        ri, li = names.index("row"), names.index(label_col)
        width = max(ri, li) + 1
        labels = {}
        for lineno, rec in enumerate(reader, start=2):
            if not rec or (len(rec) == 1 and not rec[0].strip()):
                continue  # blank line
            if len(rec) < width:
                raise InputError(f"{path}:{lineno}: too few fields ({len(rec)}) for `row,{label_col}`")
            raw = rec[ri].strip()
            try:
                row = int(raw)
            except ValueError:
                raise InputError(f"{path}:{lineno}: row {raw!r} is not an integer")
            label = rec[li].strip()
            if label == "":
                raise InputError(f"{path}:{lineno}: row {row} has an empty {label_col}")
            if row in labels:
                raise InputError(f"{path}:{lineno}: row {row} appears twice")
            labels[row] = label
    return labels


def _c2(n):
    return n * (n - 1) // 2


def pair_counts(pred, truth):
    """pred, truth: {row: label} over the same rows. Returns (true_pairs, predicted_pairs, correct)."""
    cells = Counter((pred[r], truth[r]) for r in truth)
    pred_sizes = Counter(pred.values())
    true_sizes = Counter(truth.values())
    correct = sum(_c2(n) for n in cells.values())
    predicted = sum(_c2(n) for n in pred_sizes.values())
    true = sum(_c2(n) for n in true_sizes.values())
    return true, predicted, correct


def scores(true, predicted, correct):
    precision = correct / predicted if predicted else 1.0
    recall = correct / true if true else 1.0
    f1 = 2 * correct / (predicted + true) if (predicted + true) else 1.0
    return precision, recall, f1


def check_same_rows(pred, truth, pred_path, truth_path):
    if pred.keys() == truth.keys():
        return
    missing = sorted(truth.keys() - pred.keys())
    extra = sorted(pred.keys() - truth.keys())
    msg = [f"row sets differ: {pred_path} has {len(pred)} rows, {truth_path} has {len(truth)}"]
    if missing:
        msg.append(f"  {len(missing)} rows of the truth are missing from the clusters, e.g. {missing[:5]}")
    if extra:
        msg.append(f"  {len(extra)} rows of the clusters are not in the truth, e.g. {extra[:5]}")
    raise InputError("\n".join(msg))


def evaluate(clusters_path, truth_path):
    pred = read_labels(clusters_path, "cluster")
    truth = read_labels(truth_path, "entity")
    check_same_rows(pred, truth, clusters_path, truth_path)
    true, predicted, correct = pair_counts(pred, truth)
    p, r, f = scores(true, predicted, correct)
    return {
        "precision": p, "recall": r, "f1": f,
        "pairs_true": true, "pairs_predicted": predicted, "pairs_correct": correct,
        "rows": len(truth), "clusters": len(set(pred.values())), "entities": len(set(truth.values())),
    }


def format_line(m):
    return (f"precision {m['precision']:.4f} recall {m['recall']:.4f} f1 {m['f1']:.4f} "
            f"(pairs: true {m['pairs_true']}, predicted {m['pairs_predicted']}, correct {m['pairs_correct']})")


def self_test():
    import unittest
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tests")
    suite = unittest.defaultTestLoader.discover(here, pattern="test_pair_f1.py", top_level_dir=here)
    result = unittest.TextTestRunner(verbosity=1).run(suite)
    return 0 if result.wasSuccessful() else 1


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description="Pairwise precision/recall/F1 of CLUSTERS.csv (row,cluster) "
                                             "against TRUTH.csv (row,entity).")
    ap.add_argument("clusters", nargs="?")
    ap.add_argument("truth", nargs="?")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of the text line")
    ap.add_argument("--self-test", action="store_true", help="run bench/dedupe/tests/test_pair_f1.py")
    args = ap.parse_args(argv)
    if args.self_test:
        return self_test()
    if not args.clusters or not args.truth:
        ap.print_usage(sys.stderr)
        print("pair_f1.py: error: CLUSTERS.csv and TRUTH.csv are required", file=sys.stderr)
        return 2
    try:
        m = evaluate(args.clusters, args.truth)
    except InputError as e:
        print(f"pair_f1.py: {e}", file=sys.stderr)
        return 2
    print(json.dumps(m) if args.json else format_line(m))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
