"""Prints one summary line per JUnit XML report and a total line.

Used by scripts/test; a missing or unreadable report counts as a failure.
"""
import sys
import xml.etree.ElementTree as ET


def count(path):
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
    passed = failed = skipped = 0
    for suite in suites:
        for case in suite.iter("testcase"):
            if case.find("failure") is not None or case.find("error") is not None:
                failed += 1
            elif case.find("skipped") is not None or case.get("status") in ("notrun", "disabled"):
                skipped += 1
            else:
                passed += 1
    return passed, failed, skipped


def main(paths):
    total = [0, 0, 0]
    ok = True
    for path in paths:
        name = path.rsplit("/", 1)[-1].split(".")[0]
        try:
            p, f, s = count(path)
        except (OSError, ET.ParseError) as exc:
            print(f"{name}: error: cannot read {path}: {exc}")
            ok = False
            continue
        print(f"{name}: {p} passed, {f} failed, {s} skipped")
        total = [total[0] + p, total[1] + f, total[2] + s]
        ok = ok and f == 0
    print(f"total: {total[0]} passed, {total[1]} failed, {total[2]} skipped")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
