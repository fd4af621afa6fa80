//===- OneDimOps.cpp - 1-D Conv, ConvTranspose, pools, BatchNorm on NCW ---===//
//
// A 1-D window op on NCW input [N, C, W] is the 2-D op on [N, C, 1, W]: the
// window attributes get a leading unit entry (kernel_shape [k] -> [1, k],
// strides, dilations, output_padding, output_shape likewise, pads [b, e] ->
// [0, b, 0, e]) and a constant weight [O, I, K] becomes [O, I, 1, K]. This
// wrapper rewrites the node that way, runs the 2-D importer registered
// before it on temporary tensors, and reshapes the result back to 3-D.
// auto_pad needs no change (a unit kernel on H pads nothing).
//
// The 3-D result is the 2-D op's NHWC result [N, 1, W, C] brought to ONNX
// layout (transpose to [N, C, 1, W], reshape to [N, C, W]). When the next
// 1-D op reads it directly, the wrapper recognizes that pair and uses the
// NHWC value itself, so a chain of 1-D convs, pools and BatchNormalizations
// stays NHWC (and BatchNormalization folds into the conv before it); the
// unused pair is removed by the graph clean-up. BatchNormalization on any
// other 3-D input keeps its rank-generic form (ConvOps.cpp).
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/GraphImporter.h"

#include "onnx/onnx_pb.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "llvm/ADT/StringMap.h"

using namespace mlir;

namespace tessera::frontend {
namespace {

/// The importers this file wraps, as registered before it.
llvm::StringMap<OpImporterFn> &innerTable() {
  static llvm::StringMap<OpImporterFn> table;
  return table;
}

/// Prefix of the temporary tensor names (not a plausible ONNX name).
constexpr llvm::StringLiteral kTmp = "\x01tessera.2d:";

/// The NHWC [N, 1, W, C] value that a 3-D value [N, C, W] was made from by
/// an earlier 1-D op (tosa.reshape of its NHWC -> NCHW permutation), or null.
Value peelNhwc(const ImportedValue &x) {
  if (!x.plain || x.rank() != 3)
    return {};
  auto reshape = x.plain.getDefiningOp<tosa::ReshapeOp>();
  if (!reshape)
    return {};
  Value nchw = reshape.getInput1();
  auto nchwType = cast<RankedTensorType>(nchw.getType());
  const auto &s = x.shape;
  if (nchwType.getShape() != llvm::ArrayRef<int64_t>{s[0], s[1], 1, s[2]})
    return {};
  Value nhwc;
  if (auto t = nchw.getDefiningOp<tosa::TransposeOp>()) {
    if (t.getPerms() == llvm::ArrayRef<int32_t>{0, 3, 1, 2})
      nhwc = t.getInput1();
  } else if (auto r = nchw.getDefiningOp<tosa::ReshapeOp>()) {
    nhwc = r.getInput1(); // the permutation moved unit dims only
  }
  if (!nhwc || cast<RankedTensorType>(nhwc.getType()).getShape() !=
                   llvm::ArrayRef<int64_t>{s[0], 1, s[2], s[1]})
    return {};
  return nhwc;
}

/// Rewrites the 1-D window attributes of `n` to their 2-D form.
void widenAttributes(onnx::NodeProto &n) {
  for (onnx::AttributeProto &a : *n.mutable_attribute()) {
    const std::string &name = a.name();
    bool perAxis = name == "kernel_shape" || name == "strides" ||
                   name == "dilations" || name == "output_padding" ||
                   name == "output_shape";
    if (perAxis && a.ints_size() == 1) {
      int64_t v = a.ints(0);
      a.clear_ints();
      a.add_ints(name == "output_shape" ? 1 : (name == "output_padding" ? 0 : 1));
      a.add_ints(v);
    } else if (name == "pads" && a.ints_size() == 2) {
      int64_t b = a.ints(0), e = a.ints(1);
      a.clear_ints();
      for (int64_t v : {int64_t(0), b, int64_t(0), e})
        a.add_ints(v);
    }
  }
}

llvm::Error importOneDim(GraphImporter &imp, const onnx::NodeProto &node) {
  OpImporterFn inner = innerTable().lookup(node.op_type());
  auto x = imp.operand(node, 0);
  if (!x)
    return x.takeError();
  if ((*x)->rank() != 3)
    return inner(imp, node);
  Value peeled = peelNhwc(**x);
  if (node.op_type() == "BatchNormalization" && !peeled)
    return inner(imp, node); // the rank-generic form, no transposes
  const std::vector<int64_t> xs = (*x)->shape;

  onnx::NodeProto n2 = node;
  widenAttributes(n2);
  std::string tmpIn = (kTmp + node.output(0) + ":x").str();
  ImportedValue in4;
  in4.shape = {xs[0], xs[1], 1, xs[2]};
  if (peeled) {
    in4.nhwc = peeled;
  } else {
    auto plain = imp.asPlain(**x);
    if (!plain)
      return plain.takeError();
    in4.plain = imp.reshape(*plain, in4.shape);
  }
  imp.defineNamed(tmpIn, std::move(in4));
  n2.set_input(0, tmpIn);

  // Conv / ConvTranspose: a constant 3-D weight [O, I, K] -> [O, I, 1, K].
  bool hasWeight =
      node.op_type() == "Conv" || node.op_type() == "ConvTranspose";
  if (hasWeight && node.input_size() > 1) {
    if (auto w = imp.knownConstant(node.input(1)); w && w->shape.size() == 3) {
      auto w4 = std::make_shared<ConstTensor>(*w);
      w4->shape = {w->shape[0], w->shape[1], 1, w->shape[2]};
      std::string tmpW = (kTmp + node.output(0) + ":w").str();
      ImportedValue wv;
      wv.shape = w4->shape;
      wv.constant = std::move(w4);
      imp.defineNamed(tmpW, std::move(wv));
      n2.set_input(1, tmpW);
    }
  }
  std::string tmpOut = (kTmp + node.output(0)).str();
  n2.set_output(0, tmpOut);

  if (auto err = inner(imp, n2))
    return err;
  ImportedValue *out4 = imp.findValue(tmpOut);
  if (!out4 || out4->rank() != 4)
    return imp.nodeError("internal error: the 2-D form made no 4-D result");
  // The 2-D op's result is not an ONNX tensor: drop the temporary name.
  for (Value v : {out4->nhwc, out4->plain})
    if (Operation *op = v ? v.getDefiningOp() : nullptr)
      if (auto name = op->getAttrOfType<StringAttr>(kOutputAttr);
          name && name.getValue() == tmpOut) {
        op->removeAttr(kOutputAttr);
        op->removeAttr(kLayoutAttr);
      }
  auto plain = imp.asPlain(*out4);
  if (!plain)
    return plain.takeError();
  std::vector<int64_t> shape = {out4->shape[0], out4->shape[1],
                                out4->shape[3]};
  imp.definePlain(node, 0, imp.reshape(*plain, shape), shape);
  return llvm::Error::success();
}

} // namespace

void registerOneDimOps(OpTable &table) {
  for (const char *op :
       {"Conv", "ConvTranspose", "MaxPool", "AveragePool",
        "BatchNormalization"}) {
    OpImporterFn prev = table.lookup(op);
    if (prev && prev != importOneDim)
      innerTable()[op] = prev;
    table[op] = importOneDim;
  }
}

} // namespace tessera::frontend
