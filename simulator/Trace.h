//===- Trace.h - Chrome trace-event timeline of a run -----------*- C++ -*-===//
//
// Writes a simulated run as a Chrome trace-event JSON file (the "JSON Object
// Format" of the Trace Event Format document), which Perfetto UI
// (ui.perfetto.dev) and chrome://tracing open: one process per NPU core,
// one thread (track) per unit, one complete slice ("ph": "X") per
// instruction with its layer, opcode, bytes, MACs and cycles as arguments,
// and counter tracks ("ph": "C") for the live SRAM bytes and the DRAM bus
// bytes per window. docs/simulator.md ("Timeline trace") defines every
// track, argument and approximation.
//
//===----------------------------------------------------------------------===//
#ifndef TESSERA_SIMULATOR_TRACE_H
#define TESSERA_SIMULATOR_TRACE_H

#include "core/isa/Program.h"
#include "simulator/MachineModel.h"
#include "simulator/Stats.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <utility>
#include <vector>

namespace tessera::sim {

class Simulator;

/// The windows of the DRAM counter: about 1000 over the run,
/// max(1, ceil(endCycle / 1000)) cycles each.
uint64_t dramWindowCycles(uint64_t endCycle);

/// Bus bytes the DMAs of `timeline` move in each window of `window`
/// cycles. A DMA holds the shared DRAM channel for dramChannelCycles from
/// its data phase's start (end - dmaTransferCycles) and moves its burst
/// bytes uniformly over that interval: the bytes it moves by cycle t are
/// floor(bus x (t - start) / channel), so every DMA's bytes add up exactly.
std::vector<uint64_t> dramBytesPerWindow(llvm::ArrayRef<InstrRecord> timeline,
                                         uint64_t window);

/// Live SRAM bytes over time as (cycle, bytes) steps, sorted by cycle, the
/// first value holding from that cycle on. A byte written by an instruction
/// is live from that instruction's start to the end of the last
/// instruction, in issue order, that reads the value (at least to its
/// writer's end); overwriting it ends the old value. Ranges come from
/// isa::memRanges. This is the storage the program's values need; the
/// compiler's buffers (not recorded in the .npubin) may be reserved
/// earlier or longer.
std::vector<std::pair<uint64_t, uint64_t>>
sramLiveBytes(const isa::Program &program,
              llvm::ArrayRef<InstrRecord> timeline);

/// Streams the trace of a run of `program` under `model` to `os`.
void writeTraceJson(llvm::raw_ostream &os, const isa::Program &program,
                    const MachineModel &model,
                    llvm::ArrayRef<InstrRecord> timeline);

/// writeTraceJson of a simulator that has run, to `path`, atomically
/// (core/io writeFile); errors name the file.
llvm::Error writeTrace(const Simulator &sim, llvm::StringRef path);

} // namespace tessera::sim

#endif // TESSERA_SIMULATOR_TRACE_H
