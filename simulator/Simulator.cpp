//===- Simulator.cpp - Functional + timing + energy NPU simulator ---------===//

#include "simulator/Simulator.h"

#include "core/tensor/Limits.h"

#include "simulator/Timing.h"

#include "core/quant/Quant.h"
#include "core/support/Names.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"

#include <algorithm>
#include <cstring>
#include <deque>

using namespace tessera;
using namespace tessera::sim;

namespace {

llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

std::string shapeString(llvm::ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

/// The little-endian element of dtype `t` at `p`, sign- or zero-extended.
int64_t loadElem(const uint8_t *p, isa::DType t) {
  switch (t) {
  case isa::DType::Int8:
    return static_cast<int8_t>(p[0]);
  case isa::DType::UInt8:
    return p[0];
  case isa::DType::Int16:
    return static_cast<int16_t>(uint16_t(p[0]) | uint16_t(p[1]) << 8);
  case isa::DType::Int32:
    return static_cast<int32_t>(uint32_t(p[0]) | uint32_t(p[1]) << 8 |
                                uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24);
  }
  return 0;
}

void storeElem(uint8_t *p, isa::DType t, int64_t v) {
  uint64_t u = static_cast<uint64_t>(v);
  for (unsigned b = 0; b < isa::dtypeBytes(t); ++b)
    p[b] = static_cast<uint8_t>(u >> (8 * b));
}

/// The name a target profile uses for the vector operation of `in`.
const char *vectorOpName(const isa::Instr &in) {
  if (in.op == isa::Opcode::Pool)
    return in.pool().mode == isa::PoolMode::Max   ? "max_pool"
           : in.pool().mode == isa::PoolMode::Min ? "min_pool"
                                                  : "avg_pool";
  return isa::kEltFuncNames[static_cast<size_t>(in.eltwise().func)];
}

/// The program uses only what the machine has: int16 MACs, vector ops.
llvm::Error checkSupported(const isa::Program &p, const MachineModel &m) {
  const std::vector<isa::Instr> &code = p.queue(isa::Queue::Compute);
  for (size_t i = 0; i < code.size(); ++i) {
    const isa::Instr &in = code[i];
    std::string where = "compute[" + std::to_string(i) + "] " +
                        isa::opcodeName(in.op) + ": target '" + m.target + "'";
    if (in.op == isa::Opcode::Conv && m.int16Slowdown == 0 &&
        (in.conv().inDtype == isa::DType::Int16 ||
         in.conv().wDtype == isa::DType::Int16))
      return makeError(where + " has no int16 MACs");
    if ((in.op == isa::Opcode::Pool || in.op == isa::Opcode::Eltwise) &&
        !m.vectorOps.empty() &&
        !llvm::is_contained(m.vectorOps, vectorOpName(in)))
      return makeError(where + " has no vector operation '" + vectorOpName(in) +
                       "'");
  }
  if (!p.hostSegments.empty() && m.hostCores == 0)
    return makeError("program has " + llvm::Twine(p.hostSegments.size()) +
                     " host segment(s) but target '" + m.target +
                     "' has no host model (the profile's `host:` block)");
  return llvm::Error::success();
}

tessera::ElementType hostElementType(isa::DType t) {
  switch (t) {
  case isa::DType::Int8:
    return ElementType::I8;
  case isa::DType::UInt8:
    return ElementType::U8;
  case isa::DType::Int16:
    return ElementType::I16;
  case isa::DType::Int32:
    return ElementType::I32;
  }
  return ElementType::I8;
}

} // namespace

llvm::Error Simulator::executeHost(const isa::Instr &in) {
  const isa::HostSegment &seg = program_.hostSegments[in.host().segment];
  std::string what = "host segment " + quoteName(seg.name);
  if (!opts_.hostExecutor)
    return makeError(
        what + ": no host executor installed: a functional run of a HOST "
               "instruction needs one (tessera-sim and tessera.simulate "
               "install the reference interpreter; --timing-only needs none)");
  // Descriptors are dense row-major byte images (verifyProgram checked
  // their ranges), so tensors copy in and out byte for byte.
  std::vector<Tensor> inputs;
  for (const isa::TensorDesc &d : seg.inputs) {
    Tensor t(hostElementType(d.dtype),
             std::vector<int64_t>(d.shape.begin(), d.shape.end()));
    std::memcpy(t.bytes(), mem_.dram.data() + d.dramOffset, d.byteSize());
    inputs.push_back(std::move(t));
  }
  auto outputs = opts_.hostExecutor(seg, std::move(inputs));
  if (!outputs)
    return makeError(what + ": " + llvm::toString(outputs.takeError()));
  if (outputs->size() != seg.outputs.size())
    return makeError(what + ": the host executor returned " +
                     llvm::Twine(outputs->size()) + " tensors, expected " +
                     llvm::Twine(seg.outputs.size()));
  for (size_t i = 0; i < seg.outputs.size(); ++i) {
    const isa::TensorDesc &d = seg.outputs[i];
    const Tensor &t = (*outputs)[i];
    if (t.elementType() != hostElementType(d.dtype) ||
        t.byteSize() != d.byteSize())
      return makeError(what + ": output " + llvm::Twine(i) + " " +
                       quoteName(d.name) + " is " + t.typeString() +
                       ", expected " + isa::dtypeName(d.dtype) + " of " +
                       llvm::Twine(d.numElements()) + " elements");
    std::memcpy(mem_.dram.data() + d.dramOffset, t.bytes(), d.byteSize());
  }
  return llvm::Error::success();
}

uint64_t sim::storageIndex(const isa::TensorDesc &d, uint64_t i) {
  if (d.layout != isa::Layout::Nhwc || d.shape.size() != 4)
    return i;
  const uint64_t C = d.shape[1], H = d.shape[2], W = d.shape[3];
  uint64_t x = i % W, y = (i / W) % H, c = (i / (W * H)) % C,
           n = i / (W * H * C);
  return ((n * H + y) * W + x) * C + c;
}

Simulator::Simulator(isa::Program program, MachineModel model, SimOptions opts)
    : program_(std::move(program)), model_(std::move(model)), opts_(opts) {}

llvm::Expected<std::unique_ptr<Simulator>>
Simulator::create(isa::Program program, MachineModel model, SimOptions opts) {
  if (auto err = isa::verifyProgram(program))
    return std::move(err);
  if (auto err = checkModel(model))
    return std::move(err);
  if (program.sramBytes > model.sramBytes)
    return makeError("program needs " + llvm::Twine(program.sramBytes) +
                     " bytes of SRAM but target '" + model.target + "' has " +
                     llvm::Twine(model.sramBytes));
  if (auto err = checkSupported(program, model))
    return std::move(err);
  if (opts.maxDramBytes && program.dramBytes > opts.maxDramBytes)
    return makeError("program needs " + llvm::Twine(program.dramBytes) +
                     " bytes of DRAM, more than the simulator's limit of " +
                     llvm::Twine(opts.maxDramBytes));
  if (auto err = checkAllocation("program DRAM", program.dramBytes))
    return std::move(err);
  std::unique_ptr<Simulator> s(
      new Simulator(std::move(program), std::move(model), opts));
  const isa::Program &p = s->program_;
  s->mem_.dram.assign(p.dramBytes, 0);
  s->mem_.sram.assign(s->model_.sramBytes, 0);
  std::copy(p.constants.begin(), p.constants.end(), s->mem_.dram.begin());
  s->inputSet_.assign(p.inputs.size(), false);
  // Unset inputs read as real 0, i.e. their zero point.
  for (const isa::TensorDesc &d : p.inputs) {
    uint8_t *base = s->mem_.dram.data() + d.dramOffset;
    for (uint64_t i = 0, n = d.numElements(); i < n; ++i)
      storeElem(base + i * isa::dtypeBytes(d.dtype), d.dtype,
                quant::saturate(d.zeroPoint, quantDType(d.dtype)));
  }
  return s;
}

const isa::TensorDesc *Simulator::findInput(llvm::StringRef name) const {
  for (const isa::TensorDesc &d : program_.inputs)
    if (d.name == name)
      return &d;
  return nullptr;
}

llvm::Error Simulator::writeInput(const isa::TensorDesc &d,
                                  llvm::ArrayRef<int64_t> shape,
                                  llvm::ArrayRef<int64_t> values) {
  if (llvm::ArrayRef<int64_t>(d.shape) != shape)
    return makeError("input " + quoteName(d.name) + ": expected shape " +
                     shapeString(d.shape) + " but got " + shapeString(shape));
  if (values.size() != d.numElements())
    return makeError("input " + quoteName(d.name) + ": expected " +
                     llvm::Twine(d.numElements()) + " values but got " +
                     llvm::Twine(values.size()));
  const unsigned eb = isa::dtypeBytes(d.dtype);
  uint8_t *base = mem_.dram.data() + d.dramOffset;
  for (uint64_t i = 0; i < values.size(); ++i)
    storeElem(base + storageIndex(d, i) * eb, d.dtype, values[i]);
  inputSet_[&d - program_.inputs.data()] = true;
  return llvm::Error::success();
}

llvm::Error Simulator::setInput(llvm::StringRef name,
                                llvm::ArrayRef<int64_t> shape,
                                llvm::ArrayRef<float> values) {
  const isa::TensorDesc *d = findInput(name);
  if (!d)
    return makeError("unknown input " + quoteName(name));
  quant::QParams qp{d->scale, d->zeroPoint};
  std::vector<int64_t> q(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    q[i] = quant::quantize(values[i], qp, quantDType(d->dtype),
                           quant::Rounding::HalfEven);
  return writeInput(*d, shape, q);
}

llvm::Error Simulator::setQuantizedInput(llvm::StringRef name,
                                         llvm::ArrayRef<int64_t> shape,
                                         llvm::ArrayRef<int64_t> values) {
  const isa::TensorDesc *d = findInput(name);
  if (!d)
    return makeError("unknown input " + quoteName(name));
  const int64_t lo = isa::dtypeMin(d->dtype), hi = isa::dtypeMax(d->dtype);
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i] < lo || values[i] > hi)
      return makeError("input " + quoteName(name) + ": value " + llvm::Twine(values[i]) +
                       " at index " + llvm::Twine(i) + " does not fit " +
                       isa::dtypeName(d->dtype));
  return writeInput(*d, shape, values);
}

llvm::Error Simulator::setUint8Input(llvm::StringRef name,
                                     llvm::ArrayRef<int64_t> shape,
                                     llvm::ArrayRef<int64_t> values) {
  const isa::TensorDesc *d = findInput(name);
  if (!d)
    return makeError("unknown input " + quoteName(name));
  if (d->dtype != isa::DType::Int8 && d->dtype != isa::DType::UInt8)
    return makeError("input " + quoteName(name) + ": uint8 data for a " +
                     isa::dtypeName(d->dtype) + " input");
  std::vector<int64_t> q(values.begin(), values.end());
  for (size_t i = 0; i < q.size(); ++i) {
    if (q[i] < 0 || q[i] > 255)
      return makeError("input " + quoteName(name) + ": value " +
                       llvm::Twine(q[i]) + " at index " + llvm::Twine(i) +
                       " does not fit uint8");
    if (d->dtype == isa::DType::Int8)
      q[i] -= 128; // the byte XOR 0x80
  }
  return writeInput(*d, shape, q);
}

std::vector<std::string> Simulator::unsetInputs() const {
  std::vector<std::string> r;
  for (size_t i = 0; i < program_.inputs.size(); ++i)
    if (!inputSet_[i])
      r.push_back(program_.inputs[i].name);
  return r;
}

//===----------------------------------------------------------------------===//
// The event loop
//===----------------------------------------------------------------------===//

namespace {

// The four token FIFOs, numbered as in isa::checkTokens: 0 load->compute,
// 1 compute->load, 2 compute->store, 3 store->compute; -1: no neighbour.
constexpr int kPopPrev[] = {-1, 0, 2};
constexpr int kPopNext[] = {1, 3, -1};
constexpr int kPushPrev[] = {-1, 1, 3};
constexpr int kPushNext[] = {0, 2, -1};

/// Token FIFOs holding each token's push time (the cycle its producer ended).
struct TokenFifos {
  std::deque<uint64_t> fifo[4];

  /// Whether `in` on queue q can pop what it needs, and the cycle its last
  /// popped token was pushed.
  bool ready(unsigned q, const isa::Instr &in, uint64_t &tokenTime) const {
    tokenTime = 0;
    for (auto [want, id] : {std::pair{in.deps.popPrev, kPopPrev[q]},
                            std::pair{in.deps.popNext, kPopNext[q]}}) {
      if (!want)
        continue;
      if (id < 0 || fifo[id].empty())
        return false;
      tokenTime = std::max(tokenTime, fifo[id].front());
    }
    return true;
  }
  void pop(unsigned q, const isa::Instr &in) {
    if (in.deps.popPrev)
      fifo[kPopPrev[q]].pop_front();
    if (in.deps.popNext)
      fifo[kPopNext[q]].pop_front();
  }
  void push(unsigned q, const isa::Instr &in, uint64_t time) {
    if (in.deps.pushPrev && kPushPrev[q] >= 0)
      fifo[kPushPrev[q]].push_back(time);
    if (in.deps.pushNext && kPushNext[q] >= 0)
      fifo[kPushNext[q]].push_back(time);
  }
};

} // namespace

llvm::Expected<Report> Simulator::run() {
  if (ran_)
    return makeError("the simulator has already run this program");
  ran_ = true;
  Profiler profiler(program_, model_);
  TokenFifos tokens;
  size_t pc[isa::kNumQueues] = {};
  uint64_t unitFree[isa::kNumQueues] = {};
  uint64_t dramFree = 0; // the shared DRAM channel
  // With one DMA engine, LOAD and STORE instructions occupy the same unit.
  auto slot = [&](unsigned q) {
    return model_.dmaEngines == 1 && q == unsigned(isa::Queue::Store)
               ? unsigned(isa::Queue::Load)
               : q;
  };

  for (;;) {
    // Among the queue heads whose tokens are available, issue the one that
    // can start first (ties: LOAD, COMPUTE, STORE). Tokens are pushed at
    // their producer's end >= its start, so instructions issue in
    // non-decreasing start order: a discrete-event simulation.
    int best = -1;
    uint64_t bestStart = 0;
    bool pending = false;
    for (unsigned q = 0; q < isa::kNumQueues; ++q) {
      const std::vector<isa::Instr> &code = program_.code[q];
      if (pc[q] >= code.size())
        continue;
      pending = true;
      uint64_t tokenTime;
      if (!tokens.ready(q, code[pc[q]], tokenTime))
        continue;
      uint64_t start = std::max(unitFree[slot(q)], tokenTime);
      if (best < 0 || start < bestStart) {
        best = static_cast<int>(q);
        bestStart = start;
      }
    }
    if (!pending)
      break;
    if (best < 0) // verifyProgram's checkTokens rules this out
      return makeError("dependency tokens deadlock during simulation");

    const unsigned q = static_cast<unsigned>(best);
    const uint32_t index = static_cast<uint32_t>(pc[q]);
    const isa::Instr &in = program_.code[q][index];
    tokens.pop(q, in);
    if (opts_.functional)
      if (auto err = in.op == isa::Opcode::Host ? executeHost(in)
                                                : execute(in, mem_))
        return makeError(llvm::Twine(isa::queueName(isa::Queue(q))) + "[" +
                         llvm::Twine(index) + "] " +
                         llvm::toString(std::move(err)));
    InstrCost cost =
        in.op == isa::Opcode::Host
            ? hostCost(program_.hostSegments[in.host().segment], model_)
            : instrCost(in, model_);
    uint64_t start = bestStart, end = start + cost.cycles;
    if (in.op == isa::Opcode::Load || in.op == isa::Opcode::Store) {
      // The data phase waits for the DRAM channel, which it then holds for
      // burst bytes / DRAM bandwidth.
      uint64_t dataStart = std::max(start + cost.dmaFixedCycles, dramFree);
      if (cost.dramChannelCycles)
        dramFree = dataStart + cost.dramChannelCycles;
      end = dataStart + cost.dmaTransferCycles;
    }
    unitFree[slot(q)] = end;
    tokens.push(q, in, end);
    InstrRecord rec{isa::Queue(q), index, in.layer, start, end, cost};
    profiler.record(rec);
    ++pc[q];
  }
  timeline_ = profiler.records();
  return profiler.finish(opts_.functional);
}

//===----------------------------------------------------------------------===//
// Outputs
//===----------------------------------------------------------------------===//

OutputTensor Simulator::readTensor(const isa::TensorDesc &d) const {
  OutputTensor t;
  t.name = d.name;
  t.dtype = d.dtype;
  t.shape = d.shape;
  t.scale = d.scale;
  t.zeroPoint = d.zeroPoint;
  const uint64_t n = d.numElements();
  const unsigned eb = isa::dtypeBytes(d.dtype);
  const uint8_t *base = mem_.dram.data() + d.dramOffset;
  t.values.resize(n);
  t.dequantized.resize(n);
  quant::QParams qp{d.scale, d.zeroPoint};
  for (uint64_t i = 0; i < n; ++i) {
    t.values[i] = loadElem(base + storageIndex(d, i) * eb, d.dtype);
    t.dequantized[i] = static_cast<float>(quant::dequantize(t.values[i], qp));
  }
  return t;
}

llvm::Expected<OutputTensor> Simulator::output(llvm::StringRef name) const {
  for (const isa::TensorDesc &d : program_.outputs)
    if (d.name == name)
      return readTensor(d);
  return makeError("unknown output " + quoteName(name));
}

std::vector<OutputTensor> Simulator::outputs() const {
  std::vector<OutputTensor> r;
  for (const isa::TensorDesc &d : program_.outputs)
    r.push_back(readTensor(d));
  return r;
}
