// RUN: not tessera-opt --tessera-quantize="activation-dtype=int4" %s 2>&1 | FileCheck %s --check-prefix=ACT
// RUN: not tessera-opt --tessera-quantize="weight-dtype=int16" %s 2>&1 | FileCheck %s --check-prefix=WEIGHT

// ACT: error: unsupported activation-dtype 'int4' (expected int8 or uint8)
// WEIGHT: error: unsupported weight-dtype 'int16' (expected int8)
func.func @f(%arg0: tensor<4xf32> {tessera.range = array<f64: 0.0, 1.0>}) -> tensor<4xf32> {
  return %arg0 : tensor<4xf32>
}
