//===- OnnxTensorTest.cpp - TensorProto decoding and host re-layout -------===//

#include "compiler/frontend/OnnxTensor.h"
#include "compiler/frontend/OnnxImporter.h"

#include "onnx/onnx_pb.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace tessera::frontend;

namespace {

TEST(OnnxTensor, DecodesFloatData) {
  onnx::TensorProto t;
  t.set_data_type(onnx::TensorProto_DataType_FLOAT);
  t.add_dims(2);
  t.add_dims(2);
  for (float v : {1.0f, -2.0f, 3.5f, 0.25f})
    t.add_float_data(v);
  auto c = decodeTensor(t, "", "t");
  ASSERT_TRUE(static_cast<bool>(c)) << llvm::toString(c.takeError());
  EXPECT_TRUE(c->isFloat());
  EXPECT_EQ(c->shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(c->floats, (std::vector<float>{1.0f, -2.0f, 3.5f, 0.25f}));
}

TEST(OnnxTensor, DecodesRawInt64AndHalf) {
  onnx::TensorProto t;
  t.set_data_type(onnx::TensorProto_DataType_INT64);
  t.add_dims(3);
  int64_t v[3] = {0, -1, 7};
  t.set_raw_data(std::string(reinterpret_cast<char *>(v), sizeof(v)));
  auto c = decodeTensor(t, "", "t");
  ASSERT_TRUE(static_cast<bool>(c)) << llvm::toString(c.takeError());
  EXPECT_EQ(c->ints, (std::vector<int64_t>{0, -1, 7}));

  // IEEE half 0x3C00 = 1.0, 0xC000 = -2.0, 0x3555 ~= 0.333251953125.
  onnx::TensorProto h;
  h.set_data_type(onnx::TensorProto_DataType_FLOAT16);
  h.add_dims(3);
  uint16_t bits[3] = {0x3C00, 0xC000, 0x3555};
  h.set_raw_data(std::string(reinterpret_cast<char *>(bits), sizeof(bits)));
  auto hc = decodeTensor(h, "", "h");
  ASSERT_TRUE(static_cast<bool>(hc)) << llvm::toString(hc.takeError());
  EXPECT_EQ(hc->floats, (std::vector<float>{1.0f, -2.0f, 0.333251953125f}));
}

TEST(OnnxTensor, RejectsWrongCountAndExternalFromMemory) {
  onnx::TensorProto t;
  t.set_data_type(onnx::TensorProto_DataType_FLOAT);
  t.add_dims(3);
  t.add_float_data(1.0f);
  auto c = decodeTensor(t, "", "initializer 'w'");
  ASSERT_FALSE(static_cast<bool>(c));
  EXPECT_EQ(llvm::toString(c.takeError()),
            "initializer 'w': has 1 values, shape 3 needs 3");

  onnx::TensorProto e;
  e.set_data_type(onnx::TensorProto_DataType_FLOAT);
  e.add_dims(1);
  e.set_data_location(onnx::TensorProto_DataLocation_EXTERNAL);
  auto *kv = e.add_external_data();
  kv->set_key("location");
  kv->set_value("w.bin");
  auto ec = decodeTensor(e, "", "initializer 'e'");
  ASSERT_FALSE(static_cast<bool>(ec));
  EXPECT_NE(llvm::toString(ec.takeError()).find("external data"),
            std::string::npos);
}

TEST(OnnxTensor, TransposeOihwToOhwi) {
  // W[o][i][h][w] = 1000 o + 100 i + 10 h + w, shape 2x3x2x2.
  std::vector<float> w;
  for (int o = 0; o < 2; ++o)
    for (int i = 0; i < 3; ++i)
      for (int h = 0; h < 2; ++h)
        for (int x = 0; x < 2; ++x)
          w.push_back(1000 * o + 100 * i + 10 * h + x);
  std::vector<float> t = transposeData(w, {2, 3, 2, 2}, {0, 2, 3, 1});
  // OHWI [o][h][w][i]: index ((o * 2 + h) * 2 + x) * 3 + i.
  for (int o = 0; o < 2; ++o)
    for (int h = 0; h < 2; ++h)
      for (int x = 0; x < 2; ++x)
        for (int i = 0; i < 3; ++i)
          EXPECT_EQ(t[((o * 2 + h) * 2 + x) * 3 + i],
                    1000 * o + 100 * i + 10 * h + x);
}

TEST(OnnxTensor, TransposeIntegers) {
  // The int64 overload (integer weights): a 2x3 matrix [[0, 1, 2], [3, 4,
  // 5]] transposed is [[0, 3], [1, 4], [2, 5]]; values beyond 2^53 stay
  // exact (no detour through float or double).
  const int64_t big = (int64_t{1} << 53) + 1;
  std::vector<int64_t> m = {0, 1, 2, 3, 4, big};
  std::vector<int64_t> t = transposeData(m, {2, 3}, {1, 0});
  EXPECT_EQ(t, (std::vector<int64_t>{0, 3, 1, 4, 2, big}));
}

TEST(ImportOptions, ParsesInputShape) {
  ImportOptions opts;
  ASSERT_FALSE(
      static_cast<bool>(parseInputShapeOption("input=1x3x224x224", opts)));
  EXPECT_EQ(opts.inputShapes["input"], (std::vector<int64_t>{1, 3, 224, 224}));
  // Names may contain '=' and ':' (only the last '=' separates).
  ASSERT_FALSE(static_cast<bool>(parseInputShapeOption("a=b:0=7", opts)));
  EXPECT_EQ(opts.inputShapes["a=b:0"], (std::vector<int64_t>{7}));
  for (const char *bad :
       {"input", "input=", "=1x3", "x=1x-3", "x=1xx3", "x=0"}) {
    llvm::Error err = parseInputShapeOption(bad, opts);
    EXPECT_TRUE(static_cast<bool>(err)) << bad;
    llvm::consumeError(std::move(err));
  }
}

TEST(ImportOptions, FormatShape) {
  EXPECT_EQ(formatShape({1, 3, 224, 224}), "1x3x224x224");
  EXPECT_EQ(formatShape({}), "scalar");
}

} // namespace
