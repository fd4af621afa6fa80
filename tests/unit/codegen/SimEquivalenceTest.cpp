//===- SimEquivalenceTest.cpp - Compiled programs equal core/kernels ------===//
//
// The key correctness test of the back end: integer TOSA goes through
// --tessera-lower-to-npu, --tessera-npu-tile (with a small SRAM so that
// layers are cut into several row bands, double-buffered, and over output
// channels) and codegen; the simulator runs the program functionally; the
// outputs must equal core/kernels run on the whole tensors with the TOSA
// operations' own parameters, bit for bit.
//
//===----------------------------------------------------------------------===//
#include "CodegenTestUtil.h"

#include "core/kernels/Conv.h"
#include "core/kernels/Elementwise.h"
#include "core/kernels/Pool.h"
#include "core/kernels/Rescale.h"
#include "simulator/Simulator.h"

#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <map>

using namespace tessera;
using tessera::codegen::test::lowerAndTile;
using tessera::codegen::test::makeContext;
using tessera::codegen::test::parse;

namespace {

using Shape = std::vector<int64_t>;
using Values = std::vector<int64_t>;

int64_t count(const Shape &s) {
  int64_t n = 1;
  for (int64_t d : s)
    n *= d;
  return n;
}

/// Deterministic values in [lo, hi].
struct Rng {
  uint32_t state;
  Values fill(int64_t n, int lo, int hi) {
    Values v(n);
    for (auto &x : v) {
      state = state * 1664525u + 1013904223u;
      x = lo + static_cast<int>((state >> 8) % uint32_t(hi - lo + 1));
    }
    return v;
  }
};

std::string typeOf(const Shape &s, const char *elem) {
  std::string t = "tensor<";
  for (int64_t d : s)
    t += std::to_string(d) + "x";
  return t + elem + ">";
}

/// Writes integer TOSA text and computes the same graph with core/kernels.
class Graph {
public:
  struct T {
    std::string name; // SSA value
    Shape shape;
    Values data; // reference values, NHWC
  };

  T input(const std::string &onnxName, Shape shape, Values data) {
    T t{"%" + onnxName, shape, std::move(data)};
    args.push_back(t.name + ": " + typeOf(shape, "i8") + " {onnx.name = \"" +
                   onnxName + "\"}");
    return t;
  }

  std::string constant(const Shape &shape, const char *elem, const Values &v,
                       unsigned bytes) {
    std::string hex = "0x";
    for (int64_t x : v)
      for (unsigned i = 0; i < bytes; ++i)
        hex += llvm::utohexstr(uint8_t(uint64_t(x) >> (8 * i)), false, 2);
    std::string name = fresh();
    body += "  " + name + " = \"tosa.const\"() {values = dense<\"" + hex +
            "\"> : " + typeOf(shape, elem) + "} : () -> " +
            typeOf(shape, elem) + "\n";
    return name;
  }

  struct Conv {
    int64_t oc = 1, k = 3, stride = 1, dil = 1;
    int64_t pad[4] = {0, 0, 0, 0};
    bool depthwise = false; // oc = C * multiplier
    int32_t izp = 0, wzp = 0, ozp = 0;
    bool doubleRound = false;
    int64_t lo = -128, hi = 127; // clamp
    uint32_t seed = 1;
  };

  /// conv2d/depthwise_conv2d + rescale (+ clamp).
  T conv(const T &x, const Conv &c, const std::string &node) {
    int64_t n = x.shape[0], h = x.shape[1], w = x.shape[2], ch = x.shape[3];
    int64_t span = c.dil * (c.k - 1) + 1;
    int64_t oh = (h + c.pad[0] + c.pad[1] - span) / c.stride + 1;
    int64_t ow = (w + c.pad[2] + c.pad[3] - span) / c.stride + 1;
    Rng rng{c.seed};
    Shape wShape = c.depthwise ? Shape{c.k, c.k, ch, c.oc / ch}
                               : Shape{c.oc, c.k, c.k, ch};
    Values weights = rng.fill(count(wShape), -100, 100);
    Values bias = rng.fill(c.oc, -3000, 3000);
    // Multipliers in [2^30, 2^31), shifts scaling sums of ~27 products of
    // ~100 x ~100 down to the int8 range.
    Values mult = rng.fill(c.oc, 1 << 30, 0x7fffffff);
    Values shift = rng.fill(c.oc, 40, 42);
    std::string wv = constant(wShape, "i8", weights, 1);
    std::string bv = constant({c.oc}, "i32", bias, 4);
    std::string iz = constant({1}, "i8", {c.izp}, 1);
    std::string wz = constant({1}, "i8", {c.wzp}, 1);
    Shape accShape{n, oh, ow, c.oc};
    std::string acc = fresh();
    body += "  " + acc + " = tosa." +
            (c.depthwise ? "depthwise_conv2d " : "conv2d ") + x.name + ", " +
            wv + ", " + bv + ", " + iz + ", " + wz +
            " {acc_type = i32, dilation = array<i64: " + pair(c.dil) +
            ">, pad = array<i64: " + std::to_string(c.pad[0]) + ", " +
            std::to_string(c.pad[1]) + ", " + std::to_string(c.pad[2]) + ", " +
            std::to_string(c.pad[3]) +
            ">, stride = array<i64: " + pair(c.stride) + ">} : (" +
            typeOf(x.shape, "i8") + ", " + typeOf(wShape, "i8") + ", " +
            typeOf({c.oc}, "i32") + ", tensor<1xi8>, tensor<1xi8>) -> " +
            typeOf(accShape, "i32") + " loc(\"" + node + "\")\n";
    T out{rescale(acc, accShape, "i32", mult, shift, 0, c.ozp, c.doubleRound,
                  node),
          accShape,
          {}};
    if (c.lo > -128 || c.hi < 127)
      out.name = clamp(out.name, accShape, c.lo, c.hi, node + "_relu");

    // Reference.
    kernels::Conv2DParams p;
    p.batch = n;
    p.inH = h;
    p.inW = w;
    p.inC = ch;
    p.outH = oh;
    p.outW = ow;
    p.outC = c.oc;
    p.kernelH = p.kernelW = c.k;
    p.strideH = p.strideW = c.stride;
    p.dilationH = p.dilationW = c.dil;
    p.padTop = c.pad[0];
    p.padBottom = c.pad[1];
    p.padLeft = c.pad[2];
    p.padRight = c.pad[3];
    p.inputZp = c.izp;
    p.weightZp = c.wzp;
    std::vector<int8_t> in8(x.data.begin(), x.data.end()),
        w8(weights.begin(), weights.end());
    std::vector<int32_t> b32(bias.begin(), bias.end()),
        m32(mult.begin(), mult.end()), s32(shift.begin(), shift.end());
    kernels::Requantize rq;
    rq.multiplier = m32.data();
    rq.shift = s32.data();
    rq.numChannels = c.oc;
    rq.doubleRound = c.doubleRound;
    rq.outputZp = c.ozp;
    rq.clampMin = static_cast<int32_t>(c.lo);
    rq.clampMax = static_cast<int32_t>(c.hi);
    std::vector<int8_t> o8(count(accShape));
    if (c.depthwise)
      kernels::depthwiseConv2d<int8_t, int8_t, int8_t>(
          p, in8.data(), w8.data(), b32.data(), rq, o8.data());
    else
      kernels::conv2d<int8_t, int8_t, int8_t>(p, in8.data(), w8.data(),
                                              b32.data(), rq, o8.data());
    out.data.assign(o8.begin(), o8.end());
    return out;
  }

  T pool(const T &x, bool max, int64_t k, int64_t stride,
         std::array<int64_t, 4> pad, int32_t izp, int32_t ozp,
         const std::string &node, int64_t kw = 0) {
    kw = kw ? kw : k;
    int64_t oh = (x.shape[1] + pad[0] + pad[1] - k) / stride + 1;
    int64_t ow = (x.shape[2] + pad[2] + pad[3] - kw) / stride + 1;
    Shape os{x.shape[0], oh, ow, x.shape[3]};
    std::string attrs =
        "kernel = array<i64: " + std::to_string(k) + ", " + std::to_string(kw) +
        ">, pad = array<i64: " + std::to_string(pad[0]) + ", " +
        std::to_string(pad[1]) + ", " + std::to_string(pad[2]) + ", " +
        std::to_string(pad[3]) + ">, stride = array<i64: " + pair(stride) + ">";
    std::string v;
    if (max) {
      v = fresh();
      body += "  " + v + " = tosa.max_pool2d " + x.name + " {" + attrs +
              "} : (" + typeOf(x.shape, "i8") + ") -> " + typeOf(os, "i8") +
              " loc(\"" + node + "\")\n";
    } else {
      std::string iz = constant({1}, "i8", {izp}, 1);
      std::string oz = constant({1}, "i8", {ozp}, 1);
      v = fresh();
      body += "  " + v + " = tosa.avg_pool2d " + x.name + ", " + iz + ", " +
              oz + " {acc_type = i32, " + attrs + "} : (" +
              typeOf(x.shape, "i8") + ", tensor<1xi8>, tensor<1xi8>) -> " +
              typeOf(os, "i8") + " loc(\"" + node + "\")\n";
    }
    kernels::Pool2DParams p;
    p.batch = x.shape[0];
    p.inH = x.shape[1];
    p.inW = x.shape[2];
    p.channels = x.shape[3];
    p.outH = oh;
    p.outW = ow;
    p.kernelH = k;
    p.kernelW = kw;
    p.strideH = p.strideW = stride;
    p.padTop = pad[0];
    p.padBottom = pad[1];
    p.padLeft = pad[2];
    p.padRight = pad[3];
    p.inputZp = izp;
    p.outputZp = ozp;
    std::vector<int8_t> in8(x.data.begin(), x.data.end()), o8(count(os));
    if (max)
      kernels::maxPool2d<int8_t>(p, in8.data(), o8.data());
    else
      kernels::avgPool2d<int8_t>(p, in8.data(), o8.data());
    return {v, os, Values(o8.begin(), o8.end())};
  }

  /// i8 -> i8 rescale, one pair per channel.
  T rescale8(const T &x, int32_t izp, int32_t ozp, uint32_t seed,
             const std::string &node) {
    Rng rng{seed};
    int64_t c = x.shape.back();
    Values mult = rng.fill(c, 1 << 30, 0x7fffffff);
    Values shift = rng.fill(c, 30, 31);
    T out{rescale(x.name, x.shape, "i8", mult, shift, izp, ozp, true, node),
          x.shape,
          {}};
    std::vector<int32_t> m32(mult.begin(), mult.end()),
        s32(shift.begin(), shift.end());
    kernels::RescaleParams p;
    p.inputZp = izp;
    p.outputZp = ozp;
    p.doubleRound = true;
    p.multiplier = m32.data();
    p.shift = s32.data();
    p.numChannels = c;
    std::vector<int8_t> in8(x.data.begin(), x.data.end()), o8(x.data.size());
    kernels::rescale<int8_t, int8_t>(p, in8.data(), o8.data(),
                                     static_cast<int64_t>(o8.size()));
    out.data.assign(o8.begin(), o8.end());
    return out;
  }

  /// The integer residual add: both inputs rescaled to i32 (left shift 20
  /// folded into the multipliers), added, rescaled to i8, clamped.
  /// The integer add of --tessera-fold-to-integer; `op` "maximum" or
  /// "minimum" gives its max / min (the same rescales around the i32 op).
  T add(const T &a, const T &b, int32_t azp, int32_t bzp, int32_t ozp,
        int64_t lo, const std::string &node, const std::string &op = "add") {
    Shape s = a.shape;
    // 2^20 * 0.75 and 2^20 * 0.5 as multiplier 0.75 * 2^31, shift 11 ...
    int32_t am = 1610612736, as = 11, bm = 1073741824, bs = 11;
    int32_t om = 1288490189, os = 51; // ~0.6 * 2^-20
    std::string ra =
        rescale(a.name, s, "i8", {am}, {as}, azp, 0, false, node, "i32");
    std::string rb =
        rescale(b.name, s, "i8", {bm}, {bs}, bzp, 0, false, node, "i32");
    std::string sum = fresh();
    body += "  " + sum + " = tosa." + op + " " + ra + ", " + rb + " : (" +
            typeOf(s, "i32") + ", " + typeOf(s, "i32") + ") -> " +
            typeOf(s, "i32") + " loc(\"" + node + "\")\n";
    T out{rescale(sum, s, "i32", {om}, {os}, 0, ozp, false, node), s, {}};
    out.name = clamp(out.name, s, lo, 127, node + "_relu");
    for (size_t i = 0; i < a.data.size(); ++i) {
      int64_t x = kernels::rescaleScalar(a.data[i], azp, am, as, true, false, 0,
                                         quant::DType::Int32);
      int64_t y = kernels::rescaleScalar(b.data[i], bzp, bm, bs, true, false, 0,
                                         quant::DType::Int32);
      int64_t r = op == "maximum"   ? std::max(x, y)
                  : op == "minimum" ? std::min(x, y)
                                    : x + y;
      int64_t v = kernels::rescaleScalar(r, 0, om, os, true, false, ozp,
                                         quant::DType::Int8);
      out.data.push_back(std::max<int64_t>(v, lo));
    }
    return out;
  }

  /// An i8 tosa.table; the expected values come from the TOSA reference
  /// kernel (kernels::table), not from the vector unit's lookup256.
  T table(const T &x, const Values &entries, const std::string &node) {
    std::string t = fresh(), v = fresh();
    body +=
        "  " + t + " = \"tosa.const\"() {values = dense<[" +
        llvm::join(llvm::map_range(entries,
                                   [](int64_t e) { return std::to_string(e); }),
                   ", ") +
        "]> : tensor<256xi8>} : () -> tensor<256xi8>\n";
    body += "  " + v + " = tosa.table " + x.name + ", " + t + " : (" +
            typeOf(x.shape, "i8") + ", tensor<256xi8>) -> " +
            typeOf(x.shape, "i8") + " loc(\"" + node + "\")\n";
    std::vector<int8_t> in8(x.data.begin(), x.data.end()), o8(in8.size()),
        t8(entries.begin(), entries.end());
    kernels::table(in8.data(), o8.data(), static_cast<int64_t>(in8.size()),
                   t8.data());
    return {v, x.shape, Values(o8.begin(), o8.end())};
  }

  /// The integer Mul of --tessera-fold-to-integer: both inputs rescaled to
  /// i32 by exactly 1 (zero points removed), multiplied with shift 0,
  /// rescaled to i8 by (om, os).
  T mul(const T &a, const T &b, int32_t azp, int32_t bzp, int32_t ozp,
        int32_t om, int32_t os, const std::string &node) {
    Shape s = a.shape;
    const int32_t one = 1 << 30;
    std::string ra =
        rescale(a.name, s, "i8", {one}, {30}, azp, 0, false, node, "i32");
    std::string rb =
        rescale(b.name, s, "i8", {one}, {30}, bzp, 0, false, node, "i32");
    std::string sh = fresh(), prod = fresh();
    body += "  " + sh +
            " = \"tosa.const\"() {values = dense<0> : tensor<1xi8>} : () -> "
            "tensor<1xi8>\n";
    body += "  " + prod + " = tosa.mul " + ra + ", " + rb + ", " + sh + " : (" +
            typeOf(s, "i32") + ", " + typeOf(s, "i32") + ", tensor<1xi8>) -> " +
            typeOf(s, "i32") + " loc(\"" + node + "\")\n";
    T out{rescale(prod, s, "i32", {om}, {os}, 0, ozp, false, node), s, {}};
    for (size_t i = 0; i < a.data.size(); ++i) {
      int64_t x = kernels::rescaleScalar(a.data[i], azp, one, 30, true, false,
                                         0, quant::DType::Int32);
      int64_t y = kernels::rescaleScalar(b.data[i], bzp, one, 30, true, false,
                                         0, quant::DType::Int32);
      out.data.push_back(kernels::rescaleScalar(x * y, 0, om, os, true, false,
                                                ozp, quant::DType::Int8));
    }
    return out;
  }

  T concat(const std::vector<T> &xs, const std::string &node) {
    Shape s = xs[0].shape;
    s.back() = 0;
    std::string ops, types;
    for (const T &x : xs) {
      s.back() += x.shape.back();
      ops += (ops.empty() ? "" : ", ") + x.name;
      types += (types.empty() ? "" : ", ") + typeOf(x.shape, "i8");
    }
    std::string v = fresh();
    body += "  " + v + " = tosa.concat " + ops +
            " {axis = " + std::to_string(s.size() - 1) + " : i32} : (" + types +
            ") -> " + typeOf(s, "i8") + " loc(\"" + node + "\")\n";
    T out{v, s, {}};
    int64_t rows = count(s) / s.back();
    for (int64_t r = 0; r < rows; ++r)
      for (const T &x : xs) {
        int64_t c = x.shape.back();
        out.data.insert(out.data.end(), x.data.begin() + r * c,
                        x.data.begin() + (r + 1) * c);
      }
    return out;
  }

  /// Stand-alone clamp.
  T relu(const T &x, int64_t lo, int64_t hi, const std::string &node) {
    T out{clamp(x.name, x.shape, lo, hi, node), x.shape, {}};
    for (int64_t v : x.data)
      out.data.push_back(std::min(std::max(v, lo), hi));
    return out;
  }

  /// NHWC [1, 1, 1, C] -> NCHW transpose and a flattening reshape to
  /// [1, C] (the head of a classifier after global pooling).
  T flatten(const T &x, const std::string &node) {
    Shape nchw{x.shape[0], x.shape[3], x.shape[1], x.shape[2]};
    std::string t = fresh();
    body += "  " + t + " = tosa.transpose " + x.name +
            " {perms = array<i32: 0, 3, 1, 2>} : (" + typeOf(x.shape, "i8") +
            ") -> " + typeOf(nchw, "i8") + " loc(\"" + node + "\")\n";
    Shape flat{x.shape[0], count(x.shape) / x.shape[0]};
    std::string shape = fresh();
    body += "  " + shape + " = tosa.const_shape {values = dense<[" +
            std::to_string(flat[0]) + ", " + std::to_string(flat[1]) +
            "]> : tensor<2xindex>} : () -> !tosa.shape<2>\n";
    std::string r = fresh();
    body += "  " + r + " = tosa.reshape " + t + ", " + shape + " : (" +
            typeOf(nchw, "i8") + ", !tosa.shape<2>) -> " + typeOf(flat, "i8") +
            " loc(\"" + node + "\")\n";
    return {r, flat, x.data}; // only unit dimensions move
  }

  /// Appends "%new = <op>" to the body; returns %new.
  std::string line(const std::string &op) {
    std::string v = fresh();
    body += "  " + v + " = " + op + "\n";
    return v;
  }

  void output(const T &t, const std::string &onnxName) {
    results.push_back(t);
    resultNames.push_back(onnxName);
  }

  std::string text() const {
    std::string sig, types, names;
    for (size_t i = 0; i < results.size(); ++i) {
      sig += (i ? ", " : "") + typeOf(results[i].shape, "i8") +
             " {onnx.name = \"" + resultNames[i] + "\"}";
      types += (i ? ", " : "") + typeOf(results[i].shape, "i8");
      names += (i ? ", " : "") + results[i].name;
    }
    std::string a;
    for (size_t i = 0; i < args.size(); ++i)
      a += (i ? ", " : "") + args[i];
    return "func.func @main(" + a + ") -> (" + sig + ") {\n" + body +
           "  return " + names + " : " + types + "\n}\n";
  }

  std::vector<T> results;
  std::vector<std::string> resultNames;

private:
  std::string fresh() { return "%v" + std::to_string(next++); }
  static std::string pair(int64_t v) {
    return std::to_string(v) + ", " + std::to_string(v);
  }

public:
  std::string rescale(const std::string &x, const Shape &s, const char *inElem,
                      const Values &mult, const Values &shift, int32_t izp,
                      int32_t ozp, bool doubleRound, const std::string &node,
                      const char *outElem = "i8") {
    std::string m = constant({int64_t(mult.size())}, "i32", mult, 4);
    std::string sh = constant({int64_t(shift.size())}, "i8", shift, 1);
    bool in32 = std::string(inElem) == "i32";
    bool out32 = std::string(outElem) == "i32";
    std::string iz = constant({1}, inElem, {izp}, in32 ? 4 : 1);
    std::string oz = constant({1}, outElem, {ozp}, out32 ? 4 : 1);
    std::string v = fresh();
    body +=
        "  " + v + " = tosa.rescale " + x + ", " + m + ", " + sh + ", " + iz +
        ", " + oz + " {input_unsigned = false, output_unsigned = " +
        "false, per_channel = " + (mult.size() > 1 ? "true" : "false") +
        ", rounding_mode = " + (doubleRound ? "DOUBLE_ROUND" : "SINGLE_ROUND") +
        ", scale32 = true} : (" + typeOf(s, inElem) + ", " +
        typeOf({int64_t(mult.size())}, "i32") + ", " +
        typeOf({int64_t(shift.size())}, "i8") + ", " + typeOf({1}, inElem) +
        ", " + typeOf({1}, outElem) + ") -> " + typeOf(s, outElem) + " loc(\"" +
        node + "\")\n";
    return v;
  }
  std::string clamp(const std::string &x, const Shape &s, int64_t lo,
                    int64_t hi, const std::string &node) {
    std::string v = fresh();
    body += "  " + v + " = tosa.clamp " + x +
            " {max_val = " + std::to_string(hi) +
            " : i8, min_val = " + std::to_string(lo) + " : i8} : (" +
            typeOf(s, "i8") + ") -> " + typeOf(s, "i8") + " loc(\"" + node +
            "\")\n";
    return v;
  }

  std::vector<std::string> args;
  std::string body;
  int next = 0;
};

/// Compiles `g`, runs it on the simulator with `inputs` and compares every
/// output with the reference. Returns the program for further checks.
isa::Program
compileAndRun(const Graph &g,
              const std::vector<std::pair<std::string, Graph::T>> &inputs,
              lowering::TileOptions tile) {
  auto ctx = makeContext();
  std::string text = g.text();
  auto m = parse(*ctx, text);
  EXPECT_TRUE(m) << text;
  if (!m)
    return {};
  EXPECT_TRUE(lowerAndTile(*m, tile)) << text;
  codegen::CodegenOptions o;
  o.target = "test";
  o.sramBytes = tile.sramBytes;
  auto prog = codegen::generateProgram(*m, o);
  if (!prog) {
    ADD_FAILURE() << llvm::toString(prog.takeError());
    return {};
  }
  EXPECT_FALSE(llvm::errorToBool(isa::verifyProgram(*prog)));
  if (llvm::Error e = codegen::checkRaceFree(*prog))
    ADD_FAILURE() << llvm::toString(std::move(e));
  sim::MachineModel model;
  model.sramBytes = tile.sramBytes;
  auto s = sim::Simulator::create(*prog, model);
  if (!s) {
    ADD_FAILURE() << llvm::toString(s.takeError());
    return *prog;
  }
  for (const auto &[name, t] : inputs)
    if (llvm::Error e = (*s)->setQuantizedInput(name, t.shape, t.data))
      ADD_FAILURE() << llvm::toString(std::move(e));
  auto report = (*s)->run();
  if (!report) {
    ADD_FAILURE() << llvm::toString(report.takeError());
    return *prog;
  }
  for (size_t i = 0; i < g.results.size(); ++i) {
    auto out = (*s)->output(g.resultNames[i]);
    if (!out) {
      ADD_FAILURE() << llvm::toString(out.takeError());
      continue;
    }
    EXPECT_EQ(out->values.size(), g.results[i].data.size());
    if (out->values.size() != g.results[i].data.size())
      continue;
    size_t bad = 0;
    for (size_t k = 0; k < out->values.size(); ++k)
      if (out->values[k] != g.results[i].data[k] && bad++ < 5)
        ADD_FAILURE() << g.resultNames[i] << "[" << k << "]: simulated "
                      << out->values[k] << ", kernels " << g.results[i].data[k];
    EXPECT_EQ(bad, 0u) << g.resultNames[i];
  }
  return *prog;
}

size_t countOp(const isa::Program &p, isa::Opcode op) {
  size_t n = 0;
  for (const auto &q : p.code)
    for (const auto &in : q)
      n += in.op == op;
  return n;
}

} // namespace

TEST(SimEquivalence, MultiTileConvWithPaddingStrideDilation) {
  Graph g;
  Rng rng{7};
  auto x = g.input("x", {1, 9, 7, 3}, rng.fill(9 * 7 * 3, -128, 127));
  Graph::Conv c;
  c.oc = 4;
  c.pad[0] = c.pad[1] = c.pad[2] = c.pad[3] = 1;
  c.izp = -5;
  c.ozp = 3;
  c.lo = 3; // fused ReLU
  c.seed = 11;
  auto y = g.conv(x, c, "conv_same");
  Graph::Conv s2 = c;
  s2.stride = 2;
  s2.lo = -128;
  s2.doubleRound = true;
  s2.wzp = 2;
  s2.seed = 12;
  auto z = g.conv(y, s2, "conv_s2"); // 9x7 -> 5x4
  Graph::Conv d2;
  d2.oc = 5;
  d2.dil = 2;
  d2.pad[0] = d2.pad[1] = d2.pad[2] = d2.pad[3] = 2;
  d2.ozp = -7;
  d2.seed = 13;
  auto u = g.conv(x, d2, "conv_dil2");
  g.output(z, "z");
  g.output(u, "u");
  // 2 output rows per tile: several bands per layer, double buffered.
  isa::Program p = compileAndRun(g, {{"x", x}}, {4096, true, 2});
  EXPECT_EQ(countOp(p, isa::Opcode::Conv), 5u + 3u + 5u);
}

TEST(SimEquivalence, ChannelTiledConvAndSingleBuffer) {
  Graph g;
  Rng rng{3};
  auto x = g.input("x", {1, 6, 5, 16}, rng.fill(6 * 5 * 16, -128, 127));
  Graph::Conv c;
  c.oc = 24; // 24 x 3 x 3 x 16 = 3456 bytes of weights > 2048 of SRAM
  c.pad[0] = c.pad[1] = c.pad[2] = c.pad[3] = 1;
  c.izp = 4;
  c.ozp = -2;
  c.seed = 21;
  g.output(g.conv(x, c, "wide"), "y");
  isa::Program p = compileAndRun(g, {{"x", x}}, {2048, true, 0});
  // Several channel tiles, each loading its own weight slice.
  size_t weightLoads = 0;
  for (const auto &in : p.queue(isa::Queue::Load))
    weightLoads +=
        in.op == isa::Opcode::Load && in.dma().kind == isa::DmaKind::Weight;
  EXPECT_GT(weightLoads, 1u);
  // The same layer without double buffering.
  compileAndRun(g, {{"x", x}}, {2048, false, 0});
}

TEST(SimEquivalence, DepthwiseWithChannelMultiplier) {
  Graph g;
  Rng rng{5};
  auto x = g.input("x", {1, 8, 6, 4}, rng.fill(8 * 6 * 4, -128, 127));
  Graph::Conv c;
  c.depthwise = true;
  c.oc = 8; // multiplier 2
  c.pad[0] = c.pad[1] = c.pad[2] = c.pad[3] = 1;
  c.izp = -1;
  c.ozp = 1;
  c.seed = 31;
  c.lo = 1;
  g.output(g.conv(x, c, "dw"), "y");
  compileAndRun(g, {{"x", x}}, {1024, true, 3});
}

TEST(SimEquivalence, Pools) {
  Graph g;
  Rng rng{9};
  auto x = g.input("x", {1, 9, 7, 4}, rng.fill(9 * 7 * 4, -128, 127));
  auto mp = g.pool(x, true, 3, 2, {1, 1, 1, 1}, 0, 0, "maxpool");
  auto ap = g.pool(x, false, 3, 1, {1, 1, 1, 1}, -3, 2, "avgpool");
  auto gp = g.pool(x, false, 9, 1, {0, 0, 0, 0}, 5, -4, "gap", 7);
  g.output(g.relu(mp, -20, 90, "relu"), "mp");
  g.output(ap, "ap");
  g.output(g.flatten(gp, "flatten"), "gap");
  isa::Program p = compileAndRun(g, {{"x", x}}, {1024, true, 2});
  EXPECT_GT(countOp(p, isa::Opcode::Pool), 3u);
  // The stand-alone ReLU is an ELTWISE clamp; the flatten moves no data.
  size_t clamps = 0;
  for (const auto &in : p.queue(isa::Queue::Compute))
    clamps += in.op == isa::Opcode::Eltwise &&
              in.eltwise().func == isa::EltFunc::Clamp;
  EXPECT_GE(clamps, 1u);
}

TEST(SimEquivalence, ConcatInPlaceAndCopied) {
  Graph g;
  Rng rng{13};
  auto x = g.input("x", {1, 6, 5, 3}, rng.fill(6 * 5 * 3, -128, 127));
  Graph::Conv a;
  a.oc = 2;
  a.pad[0] = a.pad[1] = a.pad[2] = a.pad[3] = 1;
  a.seed = 41;
  Graph::Conv b = a;
  b.oc = 3;
  b.k = 1;
  b.pad[0] = b.pad[1] = b.pad[2] = b.pad[3] = 0;
  b.seed = 42;
  auto ya = g.conv(x, a, "branch_a");
  auto yb = g.conv(x, b, "branch_b");
  auto pooled = g.pool(x, true, 3, 1, {1, 1, 1, 1}, 0, 0, "branch_pool");
  // Both convs and the pool store into their slices of the concat buffer.
  auto cat = g.concat({ya, yb, pooled}, "cat");
  // The function argument is copied into its slice.
  auto cat2 = g.concat({x, g.rescale8(cat, 1, -1, 43, "requant")}, "cat2");
  g.output(cat2, "y");
  isa::Program p = compileAndRun(g, {{"x", x}}, {2048, true, 2});
  // The first concat needs no copy: no instruction of its layer.
  size_t catInstrs = 0;
  for (size_t l = 0; l < p.layers.size(); ++l)
    if (p.layers[l].name == "cat")
      for (const auto &q : p.code)
        for (const auto &in : q)
          catInstrs += in.layer == l;
  EXPECT_EQ(catInstrs, 0u);
}

TEST(SimEquivalence, ResidualAdd) {
  Graph g;
  Rng rng{17};
  auto x = g.input("x", {1, 7, 5, 4}, rng.fill(7 * 5 * 4, -128, 127));
  Graph::Conv c;
  c.oc = 4;
  c.pad[0] = c.pad[1] = c.pad[2] = c.pad[3] = 1;
  c.ozp = 6;
  c.seed = 51;
  auto y = g.conv(x, c, "conv");
  auto sum = g.add(y, x, 6, 0, -5, -5, "add");
  g.output(sum, "y");
  isa::Program p = compileAndRun(g, {{"x", x}}, {1024, true, 3});
  EXPECT_GT(countOp(p, isa::Opcode::Eltwise), 1u);
}

// ONNX Max and Min of a conv's output and the input (the folded form: the
// add's rescales around an i32 maximum / minimum), the max with a ReLU: one
// ELTWISE max and one ELTWISE min per tile, equal to the TOSA kernels.
TEST(SimEquivalence, MaxAndMin) {
  Graph g;
  Rng rng{19};
  auto x = g.input("x", {1, 6, 5, 4}, rng.fill(6 * 5 * 4, -128, 127));
  Graph::Conv c;
  c.oc = 4;
  c.pad[0] = c.pad[1] = c.pad[2] = c.pad[3] = 1;
  c.ozp = 3;
  c.seed = 53;
  auto y = g.conv(x, c, "conv");
  auto mx = g.add(y, x, 3, 0, -5, -5, "max", "maximum");
  auto mn = g.add(mx, y, -5, 3, 2, -128, "min", "minimum");
  g.output(mn, "y");
  isa::Program p = compileAndRun(g, {{"x", x}}, {1024, true, 2});
  size_t maxes = 0, mins = 0;
  for (const auto &in : p.code[static_cast<size_t>(isa::Queue::Compute)])
    if (in.op == isa::Opcode::Eltwise) {
      maxes += in.eltwise().func == isa::EltFunc::Max;
      mins += in.eltwise().func == isa::EltFunc::Min;
    }
  EXPECT_GE(maxes, 1u);
  EXPECT_EQ(maxes, mins);
}

// SiLU as the integer TOSA of a QDQ model has it: a conv, sigmoid as an i8
// table, and x * sigmoid(x) (rescales by 1, i32 mul, rescale), cut into
// several double-buffered row bands. The table is a logistic curve so that
// every entry differs; the product's scale 2073404162 * 2^-38 is YOLOv5s's
// first SiLU's.
TEST(SimEquivalence, SiluTableAndMul) {
  Graph g;
  Rng rng{23};
  auto x = g.input("x", {1, 6, 5, 8}, rng.fill(6 * 5 * 8, -128, 127));
  Values entries;
  for (int i = 0; i < 256; ++i) // round(255 / (1 + exp(-(i - 128) / 16)))
    entries.push_back(static_cast<int64_t>(std::lround(
                          255.0 / (1.0 + std::exp(-(i - 128) / 16.0)))) -
                      128);
  Graph::Conv c;
  c.oc = 8;
  c.pad[0] = c.pad[1] = c.pad[2] = c.pad[3] = 1;
  c.ozp = -2;
  c.seed = 77;
  auto y = g.conv(x, c, "conv");
  auto sig = g.table(y, entries, "sigmoid");
  auto prod = g.mul(y, sig, -2, -128, -121, 2073404162, 38, "mul");
  g.output(prod, "y");
  isa::Program p = compileAndRun(g, {{"x", x}}, {1024, true, 2});
  size_t luts = 0, muls = 0;
  for (const auto &in : p.code[static_cast<size_t>(isa::Queue::Compute)])
    if (in.op == isa::Opcode::Eltwise) {
      luts += in.eltwise().func == isa::EltFunc::Lut;
      muls += in.eltwise().func == isa::EltFunc::Mul;
    }
  // 6 x 5 = 30 rows of 8 channels, at most 2 rows per tile: 15 tiles each.
  EXPECT_EQ(luts, 15u);
  EXPECT_EQ(muls, 15u);
}

// YOLO's detect head at toy size (H = 3, W = 2, 2 anchors of 6 values):
// NHWC -> NCHW transpose, reshape to [1, A, K, H, W], transpose to
// [1, A, H, W, K] (one npu.transpose of whole rows), sigmoid table, slices
// of the innermost dimension (views), a mul by a reshaped i8 scalar
// (bcast = scalar), an add of a constant grid broadcast over anchors, a
// concat along the innermost axis; and a nearest x2 resize (TOSA scale 2/1,
// offset -1, as the importer writes ONNX's). Expected values by hand-written
// index loops and kernels::rescaleScalar.
TEST(SimEquivalence, DetectHeadDataMovementAndResize) {
  Graph g;
  Rng rng{31};
  const int64_t H = 3, W = 2, A = 2, K = 6;
  auto x = g.input("x", {1, H, W, A * K}, rng.fill(H * W * A * K, -128, 127));
  auto y = g.input("y", {1, 5, 8, 16}, rng.fill(5 * 8 * 16, -128, 127));
  Values entries;
  for (int i = 0; i < 256; ++i)
    entries.push_back(127 - i); // a reversal: every entry distinct
  // Transposes and reshape.
  std::string t1 = g.line(
      "tosa.transpose " + x.name + " {perms = array<i32: 0, 3, 1, 2>} : (" +
      typeOf(x.shape, "i8") + ") -> " + typeOf({1, A * K, H, W}, "i8"));
  std::string s5 = g.line("tosa.const_shape {values = dense<[1, 2, 6, 3, 2]> "
                          ": tensor<5xindex>} : () -> !tosa.shape<5>");
  std::string r =
      g.line("tosa.reshape " + t1 + ", " + s5 + " : (" +
             typeOf({1, A * K, H, W}, "i8") + ", !tosa.shape<5>) -> " +
             typeOf({1, A, K, H, W}, "i8"));
  Shape full = {1, A, H, W, K};
  Graph::T t2{g.line("tosa.transpose " + r +
                     " {perms = array<i32: 0, 1, 3, 4, 2>} : (" +
                     typeOf({1, A, K, H, W}, "i8") + ") -> " +
                     typeOf(full, "i8")),
              full,
              {}};
  for (int64_t a = 0; a < A; ++a) // t2[a][h][w][k] = x[h][w][a*K + k]
    for (int64_t h = 0; h < H; ++h)
      for (int64_t w = 0; w < W; ++w)
        for (int64_t k = 0; k < K; ++k)
          t2.data.push_back(x.data[(h * W + w) * A * K + a * K + k]);
  auto sig = g.table(t2, entries, "sigmoid");
  // Slices [0, 2) and [2, 6) of the innermost dimension.
  auto slice = [&](int64_t start, int64_t size) {
    std::string st = g.line("tosa.const_shape {values = dense<[0, 0, 0, 0, " +
                            std::to_string(start) +
                            "]> : tensor<5xindex>} : () -> !tosa.shape<5>");
    std::string sz = g.line("tosa.const_shape {values = dense<[1, 2, 3, 2, " +
                            std::to_string(size) +
                            "]> : tensor<5xindex>} : () -> !tosa.shape<5>");
    Shape s = {1, A, H, W, size};
    Graph::T out{g.line("tosa.slice " + sig.name + ", " + st + ", " + sz +
                        " : (" + typeOf(full, "i8") +
                        ", !tosa.shape<5>, !tosa.shape<5>) -> " +
                        typeOf(s, "i8")),
                 s,
                 {}};
    for (size_t i = 0; i < sig.data.size(); ++i)
      if (int64_t k = i % K; k >= start && k < start + size)
        out.data.push_back(sig.data[i]);
    return out;
  };
  auto xy = slice(0, 2), rest = slice(2, 4);
  Shape pair = xy.shape;
  // xy * 2: the scalar is an i8 127 (zero point 125) reshaped to rank 5.
  std::string c0 = g.line("\"tosa.const\"() {values = dense<127> : "
                          "tensor<i8>} : () -> tensor<i8>");
  std::string s1 = g.line("tosa.const_shape {values = dense<1> : "
                          "tensor<5xindex>} : () -> !tosa.shape<5>");
  std::string c1 = g.line("tosa.reshape " + c0 + ", " + s1 +
                          " : (tensor<i8>, !tosa.shape<5>) -> " +
                          typeOf({1, 1, 1, 1, 1}, "i8"));
  const int32_t one = 1 << 30;
  std::string ra =
      g.rescale(xy.name, pair, "i8", {one}, {30}, -128, 0, false, "mul", "i32");
  std::string rb = g.rescale(c1, {1, 1, 1, 1, 1}, "i8", {one}, {30}, 125, 0,
                             false, "mul", "i32");
  std::string sh = g.line("\"tosa.const\"() {values = dense<0> : "
                          "tensor<1xi8>} : () -> tensor<1xi8>");
  std::string prod =
      g.line("tosa.mul " + ra + ", " + rb + ", " + sh + " : (" +
             typeOf(pair, "i32") + ", " + typeOf({1, 1, 1, 1, 1}, "i32") +
             ", tensor<1xi8>) -> " + typeOf(pair, "i32"));
  const int32_t om = 1431655765, os = 32; // ~1/3
  Graph::T twice{
      g.rescale(prod, pair, "i32", {om}, {os}, 0, -7, false, "mul"), pair, {}};
  for (int64_t v : xy.data)
    twice.data.push_back(kernels::rescaleScalar((v + 128) * 2, 0, om, os, true,
                                                false, -7, quant::DType::Int8));
  // + grid [1, 1, H, W, 2] broadcast over anchors.
  Shape gridShape = {1, 1, H, W, 2};
  Values grid = Rng{5}.fill(H * W * 2, -128, 127);
  std::string gc = g.constant(gridShape, "i8", grid, 1);
  const int32_t am = 1073741824, as = 11, bm = 1610612736, bs = 11;
  const int32_t sm = 1288490189, ss = 51;
  std::string ga =
      g.rescale(twice.name, pair, "i8", {am}, {as}, -7, 0, false, "add", "i32");
  std::string gb =
      g.rescale(gc, gridShape, "i8", {bm}, {bs}, 3, 0, false, "add", "i32");
  std::string sum =
      g.line("tosa.add " + ga + ", " + gb + " : (" + typeOf(pair, "i32") +
             ", " + typeOf(gridShape, "i32") + ") -> " + typeOf(pair, "i32"));
  Graph::T box{
      g.rescale(sum, pair, "i32", {sm}, {ss}, 0, 4, false, "add"), pair, {}};
  for (size_t i = 0; i < twice.data.size(); ++i) {
    int64_t gi = i % (H * W * 2); // drop the anchor index
    int64_t u = kernels::rescaleScalar(twice.data[i], -7, am, as, true, false,
                                       0, quant::DType::Int32);
    int64_t v = kernels::rescaleScalar(grid[gi], 3, bm, bs, true, false, 0,
                                       quant::DType::Int32);
    box.data.push_back(kernels::rescaleScalar(u + v, 0, sm, ss, true, false, 4,
                                              quant::DType::Int8));
  }
  auto head = g.concat({box, rest}, "concat");
  g.output(head, "head");
  // Nearest x2 resize of y: out[oy][ox] = y[oy / 2][ox / 2].
  std::string sc = g.line("tosa.const_shape {values = dense<[2, 1, 2, 1]> : "
                          "tensor<4xindex>} : () -> !tosa.shape<4>");
  std::string of = g.line("tosa.const_shape {values = dense<-1> : "
                          "tensor<2xindex>} : () -> !tosa.shape<2>");
  std::string bo = g.line("tosa.const_shape {values = dense<0> : "
                          "tensor<2xindex>} : () -> !tosa.shape<2>");
  Shape upShape = {1, 10, 16, 16};
  Graph::T up{g.line("tosa.resize " + y.name + ", " + sc + ", " + of + ", " +
                     bo + " {mode = NEAREST_NEIGHBOR} : (" +
                     typeOf(y.shape, "i8") +
                     ", !tosa.shape<4>, !tosa.shape<2>, !tosa.shape<2>) -> " +
                     typeOf(upShape, "i8")),
              upShape,
              {}};
  for (int64_t oy = 0; oy < 10; ++oy)
    for (int64_t ox = 0; ox < 16; ++ox)
      for (int64_t c = 0; c < 16; ++c)
        up.data.push_back(y.data[((oy / 2) * 8 + ox / 2) * 16 + c]);
  g.output(up, "up");
  // 512 bytes of SRAM: the resize takes 3 bands of 2 input rows (128 B).
  isa::Program p = compileAndRun(g, {{"x", x}, {"y", y}}, {512, true, 0});
  size_t scalarMuls = 0;
  for (const auto &in : p.code[static_cast<size_t>(isa::Queue::Compute)])
    scalarMuls += in.op == isa::Opcode::Eltwise &&
                  in.eltwise().func == isa::EltFunc::Mul &&
                  in.eltwise().bcast == isa::Bcast::Scalar;
  EXPECT_GE(scalarMuls, 1u);
  // The resize's STOREs: 4 phases (2 x 2) per band of input rows, each
  // with runs 2 pixels (32 B) apart; the two full bands have count2 = 2.
  size_t resizeStores = 0;
  for (const auto &in : p.code[static_cast<size_t>(isa::Queue::Store)])
    resizeStores += in.op == isa::Opcode::Store && in.dma().count2 > 1 &&
                    in.dma().stride1 == 2 * 16;
  EXPECT_EQ(resizeStores, 2u * 4u); // the third band has one row
}
