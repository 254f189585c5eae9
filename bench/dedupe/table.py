#!/usr/bin/env python3
"""Result table of bench/dedupe.sh (standard library only).

    table.py ROWS LABEL TIME_FILES F1_JSON [LABEL TIME_FILES F1_JSON ...]

TIME_FILES is the output of `/usr/bin/time -v -o FILE`, or several such files joined by commas:
one per round when the tools ran in alternating rounds (crmkit, Splink, crmkit, Splink, ...).
F1_JSON is that of `pair_f1.py --json` (an empty or missing F1_JSON prints dashes). The table
shows each tool's median wall and CPU time over its rounds. With two or more tools, the speed
ratio of each against the first is printed under the table: per round (the two runs of one round
ran one after the other, so they saw the same machine), then their median, lowest and highest.
With RESULTS_JSON=path in the environment the results are also written there as JSON.
"""
import json
import os
import re
import sys


def read_time(path):
    """(wall seconds, CPU seconds, peak RSS MB, exit status) from GNU time -v output."""
    text = open(path, encoding="utf-8", errors="replace").read()
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([0-9:.]+)", text)
    if not m:
        raise SystemExit(f"table.py: {path}: no wall-clock time (was it written by /usr/bin/time -v?)")
    secs = 0.0
    for part in m.group(1).split(":"):
        secs = secs * 60 + float(part)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    status = re.search(r"Exit status: (\d+)", text)
    cpu = sum(float(m.group(1)) for m in re.finditer(r"(?:User|System) time \(seconds\): ([0-9.]+)", text))
    return secs, cpu, int(rss.group(1)) / 1024 if rss else float("nan"), int(status.group(1)) if status else None


def median(values):
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def read_f1(path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read().strip()
        return json.loads(text) if text else None
    except (OSError, ValueError):
        return None


def main(argv):
    if len(argv) < 4 or (len(argv) - 1) % 3:
        raise SystemExit(__doc__)
    rows = int(argv[0])
    results = []
    for i in range(1, len(argv), 3):
        label, tfiles, ffile = argv[i:i + 3]
        rounds = [read_time(t) for t in tfiles.split(",")]
        secs, cpu = median([r[0] for r in rounds]), median([r[1] for r in rounds])
        results.append({"tool": label, "rows": rows, "seconds": secs, "cpu_seconds": cpu, "rows_per_s": rows / secs if secs else None,
                        "peak_rss_mb": max(r[2] for r in rounds), "exit_status": rounds[0][3], "pair_f1": read_f1(ffile),
                        "rounds": [{"seconds": r[0], "cpu_seconds": r[1], "peak_rss_mb": r[2], "exit_status": r[3]} for r in rounds]})

    head = f"{'tool':<10} {'rows':>9} {'wall s':>9} {'cpu s':>8} {'rows/s':>10} {'peak RSS MB':>12} {'precision':>10} {'recall':>8} {'F1':>8}"
    print(head)
    print("-" * len(head))
    for r in results:
        m = r["pair_f1"]
        p, rc, f = (f"{m['precision']:.4f}", f"{m['recall']:.4f}", f"{m['f1']:.4f}") if m else ("-", "-", "-")
        print(f"{r['tool']:<10} {rows:>9} {r['seconds']:>9.2f} {r['cpu_seconds']:>8.2f} {r['rows_per_s']:>10,.0f} {r['peak_rss_mb']:>12,.0f} "
              f"{p:>10} {rc:>8} {f:>8}")
    base = results[0]
    if len(base["rounds"]) > 1:
        print(f"(wall and CPU time: the median of {len(base['rounds'])} rounds; peak RSS: the highest)")
    for r in results[1:]:
        ratios = [o["seconds"] / b["seconds"] if b["seconds"] else float("inf") for b, o in zip(base["rounds"], r["rounds"])]
        ratio = median(ratios)
        r["speed_ratio_vs_" + base["tool"]] = ratio
        r["speed_ratios_vs_" + base["tool"]] = ratios
        cpu_ratio = r["cpu_seconds"] / base["cpu_seconds"] if base["cpu_seconds"] else float("inf")
        if len(ratios) == 1:
            print(f"speed: {base['tool']} is {ratio:.1f}x faster than {r['tool']} end to end "
                  f"({r['seconds']:.2f} s / {base['seconds']:.2f} s; CPU time {cpu_ratio:.1f}x)")
        else:
            print(f"speed: {base['tool']} is {ratio:.1f}x faster than {r['tool']} end to end, the median of "
                  f"{len(ratios)} rounds (lowest {min(ratios):.1f}x, highest {max(ratios):.1f}x; CPU time {cpu_ratio:.1f}x)")
            print("   per round: " + ", ".join(
                f"{o['seconds']:.2f} s / {b['seconds']:.2f} s = {x:.1f}x" for b, o, x in zip(base["rounds"], r["rounds"], ratios)))
        if base["pair_f1"] and r["pair_f1"]:
            d = base["pair_f1"]["f1"] - r["pair_f1"]["f1"]
            print(f"accuracy: {base['tool']} F1 {'>=' if d >= 0 else '<'} {r['tool']} F1 ({d:+.4f})")
    out = os.environ.get("RESULTS_JSON")
    if out:
        with open(out, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
