// RUN: not tessera-opt --tessera-quantize="activation-dtype=int4" %s 2>&1 | FileCheck %s --check-prefix=ACT
// RUN: not tessera-opt --tessera-quantize="weight-dtype=int16" %s 2>&1 | FileCheck %s --check-prefix=WEIGHT
// RUN: not tessera-opt --tessera-quantize="symmetric-weights=false" %s 2>&1 | FileCheck %s --check-prefix=ASYM
// RUN: not tessera-opt --tessera-quantize="symmetric-activations=true symmetric-weights=false weight-per-channel=false power-of-two-scale=true" %s 2>&1 | FileCheck %s --check-prefix=POW2

// ACT: error: unsupported activation-dtype 'int4' (expected int8 or uint8)
// WEIGHT: error: unsupported weight-dtype 'int16' (expected int8 or uint8)
// ASYM: error: asymmetric weights must be per tensor (weight-per-channel=false): tosa.conv2d, depthwise_conv2d and matmul, and the NPU's CONV, take one weight zero point
// POW2: error: power-of-two-scale needs symmetric activations and weights (dynamic fixed point has no zero point)
func.func @f(%arg0: tensor<4xf32> {tessera.range = array<f64: 0.0, 1.0>}) -> tensor<4xf32> {
  return %arg0 : tensor<4xf32>
}
