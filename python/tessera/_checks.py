"""Argument checks for ``tessera.compile``, ``run`` and ``simulate``.

Every bad argument is a ``TypeError`` (wrong kind of object) or
``ValueError`` (right kind, bad value) whose one-line message names the
function and the argument and shows at most 60 characters of the value.
Numeric rules that live in C++ (thread count, memory budget, quantization
parameters) are checked in the bindings, next to the rule
(python/bindings/Convert.h). Files are read by C++ as the tools read them
(core/io readRegularFile: devices and FIFOs refused, size within the memory
budget). docs/reference.md, "Python API", lists the rules.
"""
import operator
import os
from collections.abc import Mapping

import numpy as np

INT64_MAX = 2**63 - 1

# numpy dtype kinds of the arrays the executors and the simulator accept:
# bool, signed and unsigned integers, floats. Object arrays would turn None
# into NaN, complex ones lose their imaginary part, strings fail deep inside
# numpy: all three are TypeErrors here.
NUMERIC_KINDS = "biuf"
_KIND_WORDS = {"b": "bool", "i": "integer", "u": "integer", "f": "float"}


def short(value, limit=60):
    """repr(value), cut to `limit` characters."""
    r = repr(value)
    return r if len(r) <= limit else r[:limit - 3] + "..."


def _kind_list(kinds):
    words = []
    for k in kinds:
        if _KIND_WORDS[k] not in words:
            words.append(_KIND_WORDS[k])
    return ", ".join(words[:-1]) + " or " + words[-1] if len(words) > 1 \
        else words[0]


def utf8_arg(fn, what, text):
    """`text` unchanged if it encodes as UTF-8 (the C++ side's strings); a
    lone surrogate (os.fsdecode of a non-UTF-8 file name) is a ValueError
    here rather than a pybind11 overload failure."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("%s: %s %s is not valid UTF-8 text"
                         % (fn, what, short(text))) from None
    return text


def path_arg(fn, what, value):
    """`value` (str, bytes path or os.PathLike) as a str path."""
    try:
        path = os.fspath(value)
    except TypeError:
        raise TypeError("%s: %s must be a path (str or os.PathLike), got %s"
                        % (fn, what, type(value).__name__)) from None
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if "\0" in path:
        raise ValueError("%s: %s %s contains a NUL byte"
                         % (fn, what, short(path)))
    return utf8_arg(fn, what, path)


def str_arg(fn, what, value, optional=False):
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise TypeError("%s: %s must be a str%s, got %s (%s)"
                        % (fn, what, " or None" if optional else "",
                           type(value).__name__, short(value)))
    return utf8_arg(fn, what, value)


def target_arg(fn, value, optional=False):
    """A target: a profile name ("rv1126") or the path of a YAML profile."""
    if value is None and optional:
        return None
    if isinstance(value, str) or hasattr(value, "__fspath__"):
        return path_arg(fn, "target", value)
    raise TypeError("%s: target must be a profile name or a path (str or "
                    "os.PathLike)%s, got %s (%s)"
                    % (fn, " or None" if optional else "",
                       type(value).__name__, short(value)))


def flag_arg(fn, what, value):
    """A bool (Python or numpy) or the ints 0 and 1; a string such as "no"
    is a mistake, not a true value."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise TypeError("%s: %s must be a bool, got %s (%s)"
                    % (fn, what, type(value).__name__, short(value)))


def int_arg(fn, what, value, lo, hi):
    """An int (or numpy integer) in [lo, hi]; bools and floats are
    TypeErrors."""
    if isinstance(value, (bool, np.bool_)):
        index = None
    else:
        try:
            index = operator.index(value)
        except TypeError:
            index = None
    if index is None:
        raise TypeError("%s: %s must be an int, got %s (%s)"
                        % (fn, what, type(value).__name__, short(value)))
    if not lo <= index <= hi:
        raise ValueError("%s: %s must be in [%d, %d], got %s"
                         % (fn, what, lo, hi, short(index)))
    return index


def array_arg(fn, what, value, kinds=NUMERIC_KINDS):
    """`value` as an ndarray whose dtype kind is in `kinds`."""
    if isinstance(value, np.ndarray):
        array = value
    else:
        try:
            array = np.asarray(value)
        except (TypeError, ValueError) as e:
            # e.g. a ragged list: "setting an array element with a sequence"
            raise ValueError("%s: %s is not an array: %s"
                             % (fn, what, str(e).splitlines()[0][:200])) \
                from None
    if array.dtype.kind not in kinds:
        got = ("an array of dtype %s" % array.dtype
               if isinstance(value, np.ndarray)
               else "%s (%s)" % (type(value).__name__, short(value)))
        raise TypeError("%s: %s must be an array of %s values, got %s"
                        % (fn, what, _kind_list(kinds), got))
    if (array.dtype.kind == "u" and array.dtype.itemsize == 8 and array.size
            and int(array.max()) > INT64_MAX):
        # The bindings read integer arrays as int64: this would wrap.
        raise ValueError("%s: %s holds %d, which does not fit int64"
                         % (fn, what, int(array.max())))
    return array


def inputs_arg(fn, inputs, positional, kinds=NUMERIC_KINDS):
    """{name: ndarray} from a mapping of input names (str; with
    `positional`, also int positions) to array-likes."""
    if not isinstance(inputs, Mapping):
        raise TypeError("%s: inputs must be a dict {name: array}, got %s"
                        % (fn, type(inputs).__name__))
    arrays = {}
    for key, value in inputs.items():
        if isinstance(key, str):
            name = utf8_arg(fn, "inputs key", key)
        elif (positional and isinstance(key, (int, np.integer))
              and not isinstance(key, (bool, np.bool_))):
            name = str(int(key))
        else:
            raise TypeError("%s: inputs keys must be input names (str%s), "
                            "got %s (%s)"
                            % (fn, " or int position" if positional else "",
                               type(key).__name__, short(key)))
        if name in arrays:
            raise ValueError("%s: inputs name %s twice" % (fn, short(name)))
        arrays[name] = array_arg(fn, "inputs[%s]" % short(name), value, kinds)
    return arrays


def shapes_arg(fn, shapes):
    """input_shapes: {name: [dim, ...]} with int dims in [1, 2^63 - 1]
    (a 0 dimension reached an internal error in the importer)."""
    if shapes is None:
        return {}
    if not isinstance(shapes, Mapping):
        raise TypeError("%s: input_shapes must be a dict {name: shape}, "
                        "got %s" % (fn, type(shapes).__name__))
    out = {}
    for key, dims in shapes.items():
        if not isinstance(key, str):
            raise TypeError("%s: input_shapes keys must be input names (str), "
                            "got %s (%s)"
                            % (fn, type(key).__name__, short(key)))
        utf8_arg(fn, "input_shapes key", key)
        what = "input_shapes[%s]" % short(key)
        if isinstance(dims, (str, bytes)) or not hasattr(dims, "__iter__"):
            raise TypeError("%s: %s must be a sequence of ints, got %s (%s)"
                            % (fn, what, type(dims).__name__, short(dims)))
        out[key] = [int_arg(fn, what + " dimension", d, 1, INT64_MAX)
                    for d in dims]
    return out


def floats_arg(fn, what, values, count, positive=False):
    """`count` finite floats (and > 0 with `positive`), as a list."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError("%s: %s must be a sequence of %d numbers, got %s (%s)"
                        % (fn, what, count, type(values).__name__,
                           short(values)))
    out = []
    for v in values:
        if isinstance(v, (bool, np.bool_, str, bytes)) or \
                not isinstance(v, (int, float, np.integer, np.floating)):
            raise TypeError("%s: %s must hold numbers, got %s (%s)"
                            % (fn, what, type(v).__name__, short(v)))
        out.append(float(v))
    if len(out) != count:
        raise ValueError("%s: %s needs %d values (one per RGB channel), got %d"
                         % (fn, what, count, len(out)))
    for v in out:
        if not np.isfinite(v) or (positive and v <= 0):
            raise ValueError("%s: %s values must be finite%s, got %s"
                             % (fn, what, " and > 0" if positive else "",
                                short(tuple(out))))
    return out


def str_list_arg(fn, what, value):
    """A list or tuple of str (None: []); a lone str or another type is a
    TypeError naming the argument, and each element is checked by
    str_arg as "what[i]". Shared by compile's and analyze's float_nodes."""
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise TypeError("%s: %s must be a list of str, got %s"
                        % (fn, what, type(value).__name__))
    return [str_arg(fn, "%s[%d]" % (what, i), v) for i, v in enumerate(value)]


def percentile_arg(fn, value):
    """None, or a real number in (0, 100] as a float (NaN fails the range
    check); a bool, str or other type is a TypeError naming the argument.
    Shared by compile's and analyze's percentile."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_, str, bytes)) or not isinstance(
            value, (int, float, np.integer, np.floating)):
        raise TypeError("%s: percentile must be a number or None, got %s (%s)"
                        % (fn, type(value).__name__, short(value)))
    value = float(value)
    if not 0.0 < value <= 100.0:
        raise ValueError("%s: percentile must be in (0, 100], got %s"
                         % (fn, short(value)))
    return value
