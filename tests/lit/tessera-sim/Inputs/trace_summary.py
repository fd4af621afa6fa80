"""Prints a tessera-sim --trace file as lines FileCheck can match: the
metadata, one line per slice (track, name, opcode, start and length in
cycles from the slice's arguments and in microseconds from ts/dur), the
SRAM counter's steps and the DRAM counter's total.
Usage: trace_summary.py TRACE.json
"""
import json
import sys


def main():
    with open(sys.argv[1]) as f:
        doc = json.load(f)
    other = doc["otherData"]
    print("target %s clock %g cycles %d window %d" % (
        other["target"], other["clock_mhz"], other["cycles"],
        other["dram_window_cycles"]))
    threads = {}
    for e in doc["traceEvents"]:
        if e["ph"] == "M" and e["name"] == "process_name":
            print("process %d %s" % (e["pid"], e["args"]["name"]))
        if e["ph"] == "M" and e["name"] == "thread_name":
            threads[e["tid"]] = e["args"]["name"]
    for tid in sorted(threads):
        print("track %d %s" % (tid, threads[tid]))
    dram = 0
    for e in doc["traceEvents"]:
        a = e.get("args", {})
        if e["ph"] == "X":
            print("slice %s %s %s [%d, +%d) ts %g dur %g macs %d dram %d "
                  "sram %d" % (threads[e["tid"]], e["name"], e["cat"],
                               a["start_cycle"], a["cycles"], e["ts"],
                               e["dur"], a["macs"], a["dram_bytes"],
                               a["sram_bytes"]))
        elif e["ph"] == "C" and e["name"] == "SRAM live":
            print("sram %g us %d bytes" % (e["ts"], a["bytes"]))
        elif e["ph"] == "C" and e["name"] == "DRAM bus":
            dram += a["bytes per window"]
    print("dram bus bytes %d" % dram)


if __name__ == "__main__":
    main()
