#!/usr/bin/env python3
"""Baseline for `crmkit dedupe`: Splink 4 (Fellegi-Sunter, EM) on DuckDB.

    python bench/dedupe/splink_dedupe.py customers.csv -o splink_clusters.csv [--threshold 0.9]
                                         [--count-comparisons] [--save-model model.json]

Writes `row,cluster` (UTF-8, no BOM), one line per input row, `row` being the spreadsheet row
(header = row 1, so data index + 2) and `cluster` the smallest row number of the cluster.
Timing of each phase and the total go to stderr. Needs the venv of bench/dedupe/requirements.txt
(bench/dedupe.sh creates it).

This is meant to be the configuration a competent Splink user would write for a Chinese customer
list *without* Chinese-specific entity knowledge: the generic clean-up anyone does (Unicode NFKC,
trim, strip punctuation, digits-only phones, lower-case e-mails), the standard comparison library,
u from random sampling, m by EM, and connected-components clustering. It deliberately does NOT
parse Chinese company names: no removal of a leading or bracketed region (北京… / …（北京）…), no
stripping or canonicalising of the organisation form (有限公司 / 股份有限公司 / 有限责任公司), no
traditional -> simplified conversion, no honorific removal from contact names (先生/女士/总).
That knowledge is what crmkit adds; the benchmark measures how much it is worth.
"""
import argparse
import sys
import time

T0 = time.perf_counter()

# The input headers are the customer template's (templates/customer.toml). We take the template
# header and, to be tolerant of a file written by hand, a few of its aliases. Only the columns
# used for matching are read into the model.
COLUMNS = {
    "name": ["客户名称", "公司名称", "企业名称", "客户全称"],
    "credit_code": ["统一社会信用代码", "信用代码", "社会信用代码"],
    "contact": ["联系人", "联系人姓名"],
    "phone": ["联系电话", "手机", "手机号", "电话"],
    "email": ["电子邮箱", "邮箱", "电子邮件"],
    "province": ["省份", "省"],
    "city": ["城市", "市"],
}

_last = [T0]


def phase(label):
    now = time.perf_counter()
    print(f"splink: {label:<44} {now - _last[0]:8.2f} s", file=sys.stderr, flush=True)
    _last[0] = now


def read_input(path):
    """Read the CSV as text (BOM-aware); return a pandas frame with ASCII column names.

    pandas' C parser keeps the record order and handles quoted multi-line cells, so the frame's
    index is exactly the data index of the spreadsheet (row = index + 2)."""
    import pandas as pd

    header = pd.read_csv(path, dtype=str, nrows=0, encoding="utf-8-sig").columns
    stripped = {h.strip(): h for h in header}
    usecols, rename = [], {}
    for key, names in COLUMNS.items():
        found = next((stripped[n] for n in names if n in stripped), None)
        if found is None:
            if key in ("name",):
                sys.exit(f"splink_dedupe.py: {path}: no company-name column (looked for {names})")
            continue
        usecols.append(found)
        rename[found] = key
    df = pd.read_csv(path, dtype=str, usecols=usecols, keep_default_na=False,
                     encoding="utf-8-sig", engine="c", skip_blank_lines=False)
    df = df.rename(columns=rename)
    for key in COLUMNS:
        if key not in df.columns:
            df[key] = ""
    # NFKC folds full-width letters, digits and brackets to ASCII (ＡＢＣ１２３（） -> ABC123()).
    # DuckDB has no NFKC function, so this one step is done in pandas.
    for key in ("name", "credit_code", "contact", "phone", "email", "city", "province"):
        df[key] = df[key].str.normalize("NFKC")
    df.insert(0, "unique_id", range(len(df)))
    return df


# Generic cleaning, in DuckDB SQL. Empty strings become NULL so that Splink's null levels apply.
PREPROCESS_SQL = r"""
create or replace table customers as
select
    unique_id,
    -- company name: lower-case, drop everything that is not a letter or digit (spaces,
    -- brackets of either width after NFKC, dots, dashes). Nothing Chinese-specific.
    nullif(regexp_replace(lower(trim(name)), '[^\pL\pN]+', '', 'g'), '') as name,
    -- credit code: upper-case letters and digits only
    nullif(regexp_replace(upper(credit_code), '[^0-9A-Z]+', '', 'g'), '') as credit_code,
    -- contact person: trimmed, inner spaces removed
    nullif(regexp_replace(contact, '\s+', '', 'g'), '') as contact,
    -- phone: digits only, a trailing ".0" from Excel dropped, then the last 11 digits (drops a
    -- leading 86 / 0086 country code); fewer than 7 digits is treated as missing
    case when length(regexp_replace(regexp_replace(trim(phone), '\.0$', ''), '[^0-9]', '', 'g')) >= 7
         then right(regexp_replace(regexp_replace(trim(phone), '\.0$', ''), '[^0-9]', '', 'g'), 11)
    end as phone,
    -- e-mail: trimmed, lower-case, must contain an @
    case when position('@' in trim(email)) > 1 then lower(trim(email)) end as email,
    nullif(trim(province), '') as province,
    nullif(trim(city), '') as city
from customers_raw
"""


# u from random sampling: 2e6 pairs. Splink warns at its default of 1e6; its docs suggest 1e7+
# while developing and 1e8-1e9 for a final model, but on the 150k test file 1e6, 2e6, 5e6 and
# 1e7 gave the same F1 (0.9587-0.9593) while this phase's time grows linearly with the pairs
# (it is the slowest phase), so the smallest value Splink does not warn about is used: the
# benchmark should not slow Splink down for no accuracy. --u-max-pairs changes it.
U_MAX_PAIRS = 2e6

# m by EM, once per blocking rule; each rule trains every comparison except those in the rule.
# The name prefix trains phone / e-mail / credit code / contact / city; the phone trains the name.
# Alternatives tried on the test file: exact name + phone (F1 0.943), credit code + phone
# (0.951), name prefix + city then phone (0.923); name prefix + phone was best (0.959).
EM_BLOCKING_RULES = [("substr(name, 1, 4)",), ("phone",)]


def build_settings():
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    # Blocking: which pairs are scored at all. Four rules, OR-ed (Splink dedupes the pairs):
    #  - same phone, same e-mail, same credit code: any shared identifier makes a candidate pair;
    #  - same first 4 characters of the cleaned name. For Chinese company names that is usually
    #    region + start of the trade name (北京华远…), or the trade name itself when the region is
    #    absent or bracketed (华远软件…). Measured on a 150,000-row test file (--count-comparisons):
    #    a 2-character prefix gives 152 M comparisons (blocks of whole cities: 北京…), 3 gives
    #    17 M (predict ~10x slower, F1 lower: more chained false links), 4 gives 0.6 M and
    #    ~0.7 M for all four rules together. A user without Chinese knowledge does not know that
    #    北京华远软件 and 华远软件（北京） are the same name reordered, so such pairs are only
    #    candidates when they share an identifier.
    #  Not used: same contact + same city (a natural extra rule) adds few true pairs but links
    #  different companies whose contacts share a common name (王伟 in 北京): precision fell
    #  from 0.999 to 0.959 on the test file.
    blocking_rules = [
        block_on("phone"),
        block_on("email"),
        block_on("credit_code"),
        block_on("substr(name, 1, 4)"),
    ]

    comparisons = [
        # Company name: the standard Jaro-Winkler ladder (exact / >=0.95 / >=0.88 / >=0.8 /
        # >=0.7 / else) with term-frequency adjustment on the exact level, so that a common name
        # counts for less than a rare one.
        cl.JaroWinklerAtThresholds("name", [0.95, 0.88, 0.8, 0.7]).configure(
            term_frequency_adjustments=True),
        # Phone: exact; TF-adjusted because a switchboard or agent number shared by many
        # records is weaker evidence.
        cl.ExactMatch("phone").configure(term_frequency_adjustments=True),
        # E-mail: Splink's out-of-the-box EmailComparison (exact / same user name / JW on the
        # address / JW on the user name / else).
        cl.EmailComparison("email"),
        # Credit code: exact, plus one edit for a typo in an 18-character code.
        cl.LevenshteinAtThresholds("credit_code", [1]),
        # Contact person: the out-of-the-box NameComparison (exact with TF, Jaro-Winkler >= 0.88).
        # The library's default 0.7 level is left out: for 2-3 character Chinese names it
        # matches any two people with the same surname (王芳 / 王伟 = 0.70).
        cl.NameComparison("contact", jaro_winkler_thresholds=[0.88]),
        # City: exact. Separates same-brand companies in different cities.
        cl.ExactMatch("city"),
    ]

    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        blocking_rules_to_generate_predictions=blocking_rules,
        comparisons=comparisons,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input", help="customer CSV (UTF-8, with or without BOM)")
    ap.add_argument("-o", "--output", required=True, help="clusters CSV to write (row,cluster)")
    ap.add_argument("--threshold", type=float, default=0.9,
                    help="match probability at or above which two records are linked (default 0.9)")
    ap.add_argument("--count-comparisons", action="store_true",
                    help="print the number of comparisons each blocking rule adds (slow; not timed)")
    ap.add_argument("--save-model", metavar="JSON", help="write the trained Splink model")
    ap.add_argument("--u-max-pairs", type=float, default=U_MAX_PAIRS,
                    help=f"pairs sampled to estimate u (default {U_MAX_PAIRS:.0e})")
    ap.add_argument("--seed", type=int, default=42,
                    help="seed of the random sampling for u; -1 for none (faster, not reproducible)")
    args = ap.parse_args()

    import duckdb
    import splink
    from splink import DuckDBAPI, Linker, block_on

    phase(f"import (splink {splink.__version__}, duckdb {duckdb.__version__})")

    df = read_input(args.input)
    n = len(df)
    con = duckdb.connect()  # in memory; DuckDB uses every core by default
    con.register("customers_raw", df)
    con.execute(PREPROCESS_SQL)
    con.unregister("customers_raw")
    del df
    phase(f"read + clean {n} rows")

    settings = build_settings()
    db_api = DuckDBAPI(connection=con)
    if args.count_comparisons:
        from splink.blocking_analysis import cumulative_comparisons_to_be_scored_from_blocking_rules_data
        counts = cumulative_comparisons_to_be_scored_from_blocking_rules_data(
            table_or_tables="customers",
            blocking_rules=settings.blocking_rules_to_generate_predictions,
            link_type="dedupe_only", db_api=db_api, unique_id_column_name="unique_id")
        for _, r in counts.iterrows():
            print(f"splink: blocking {r['blocking_rule']:<40} +{int(r['row_count']):>12,} "
                  f"(cumulative {int(r['cumulative_rows']):,})", file=sys.stderr)
        phase("count comparisons (not part of dedupe)")
        _last[0] = time.perf_counter()

    linker = Linker("customers", settings, db_api=db_api)
    phase("linker setup")

    # Prior (lambda): share of matches among all pairs, from rules that are nearly always
    # right, with a guessed recall of 0.6 (they miss every duplicate without a shared identifier).
    linker.training.estimate_probability_two_random_records_match(
        [
            "l.credit_code = r.credit_code",
            "l.phone = r.phone and jaro_winkler_similarity(l.name, r.name) >= 0.8",
            "l.email = r.email and jaro_winkler_similarity(l.name, r.name) >= 0.8",
        ],
        recall=0.6,
    )
    phase("estimate lambda (deterministic rules)")

    # u: from random pairs, which are almost all non-matches (see U_MAX_PAIRS for the count).
    # The seed makes the run reproducible (Splink notes it costs some time; ~10% here).
    linker.training.estimate_u_using_random_sampling(
        max_pairs=args.u_max_pairs, seed=None if args.seed < 0 else args.seed)
    phase(f"estimate u (random sampling, {args.u_max_pairs:.0e} pairs)")

    # m: EM on the rules of EM_BLOCKING_RULES (see there); term-frequency adjustments are left
    # out while training (they apply at prediction), which keeps EM quick.
    for rule in EM_BLOCKING_RULES:
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on(*rule), estimate_without_term_frequencies=True)
        phase(f"EM blocking on {' + '.join(rule)}")
    if args.save_model:
        linker.misc.save_model_to_json(args.save_model, overwrite=True)

    # Scoring: only pairs above 0.5 are kept (clustering at --threshold >= 0.5 needs no others).
    predictions = linker.inference.predict(threshold_match_probability=min(0.5, args.threshold))
    phase("predict")
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=args.threshold)
    phase(f"cluster (connected components >= {args.threshold})")

    out = args.output.replace("'", "''")
    con.execute(f"""
        copy (select unique_id + 2 as "row", min(unique_id) over (partition by cluster_id) + 2 as "cluster"
              from {clusters.physical_name} order by 1)
        to '{out}' (header, delimiter ',')""")
    stats = con.execute(f"""select count(*), count(distinct cluster_id),
        (select count(*) from {predictions.physical_name} where match_probability >= {args.threshold})
        from {clusters.physical_name}""").fetchone()
    phase("write clusters")
    print(f"splink: {stats[0]} rows -> {stats[1]} clusters ({stats[2]} links >= {args.threshold}); "
          f"total {time.perf_counter() - T0:.2f} s", file=sys.stderr)
    if stats[0] != n:
        sys.exit(f"splink_dedupe.py: clustered {stats[0]} rows, input has {n}")


if __name__ == "__main__":
    main()
