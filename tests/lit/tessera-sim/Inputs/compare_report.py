"""Compares a tessera-sim JSON report with a golden one, field by field.

Integers, strings and booleans must be equal; floats must agree to a
relative 1e-9 (they are printed with 17 digits, so this only absorbs the
last-digit differences of another libm). Every field of the golden file must
be present and no field may be added, so the schema is pinned too.
Usage: compare_report.py ACTUAL.json GOLDEN.json
"""
import json
import math
import sys


def compare(actual, golden, path, errors):
    if isinstance(golden, dict):
        if not isinstance(actual, dict):
            errors.append(f"{path}: expected an object")
            return
        for key in sorted(set(golden) | set(actual)):
            if key not in actual:
                errors.append(f"{path}.{key}: missing")
            elif key not in golden:
                errors.append(f"{path}.{key}: not in the golden file")
            else:
                compare(actual[key], golden[key], f"{path}.{key}", errors)
    elif isinstance(golden, list):
        if not isinstance(actual, list) or len(actual) != len(golden):
            errors.append(f"{path}: expected a list of {len(golden)}")
            return
        for i, (a, g) in enumerate(zip(actual, golden)):
            compare(a, g, f"{path}[{i}]", errors)
    elif isinstance(golden, float) or isinstance(actual, float):
        if not (isinstance(actual, (int, float))
                and math.isclose(actual, golden, rel_tol=1e-9, abs_tol=1e-15)):
            errors.append(f"{path}: {actual!r} != golden {golden!r}")
    elif actual != golden or type(actual) is not type(golden):
        errors.append(f"{path}: {actual!r} != golden {golden!r}")


def main():
    with open(sys.argv[1]) as f:
        actual = json.load(f)
    with open(sys.argv[2]) as f:
        golden = json.load(f)
    errors = []
    compare(actual, golden, "$", errors)
    for e in errors:
        print(e)
    print(f"{len(errors)} differences")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
