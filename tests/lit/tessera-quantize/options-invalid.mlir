// RUN: not tessera-opt --tessera-quantize="activation-dtype=int4" %s 2>&1 | FileCheck %s --check-prefix=ACT
// RUN: not tessera-opt --tessera-quantize="weight-dtype=int4" %s 2>&1 | FileCheck %s --check-prefix=WEIGHT
// RUN: not tessera-opt --tessera-quantize="symmetric-weights=false" %s 2>&1 | FileCheck %s --check-prefix=ASYM
// RUN: not tessera-opt --tessera-quantize="symmetric-activations=true symmetric-weights=false weight-per-channel=false power-of-two-scale=true" %s 2>&1 | FileCheck %s --check-prefix=POW2
// RUN: not tessera-opt --tessera-quantize="activation-dtype=int16 weight-dtype=int16 symmetric-activations=true symmetric-weights=false weight-per-channel=false" %s 2>&1 | FileCheck %s --check-prefix=ASYM16
// RUN: not tessera-opt --tessera-quantize="node-dtypes=nosuchnode=int16" %s 2>&1 | FileCheck %s --check-prefix=NODE
// RUN: not tessera-opt --tessera-quantize="node-dtypes=relu_1=int4" %s 2>&1 | FileCheck %s --check-prefix=NODEDT

// ACT: error: unsupported activation-dtype 'int4' (expected int8, uint8 or int16)
// WEIGHT: error: unsupported weight-dtype 'int4' (expected int8, uint8 or int16)
// ASYM: error: asymmetric weights must be per tensor (weight-per-channel=false): tosa.conv2d, depthwise_conv2d and matmul, and the NPU's CONV, take one weight zero point
// POW2: error: power-of-two-scale needs symmetric activations and weights (dynamic fixed point has no zero point)
// ASYM16: error: int16 weights are symmetric (symmetric-weights must be true)
// NODE: error: node-dtypes pattern 'nosuchnode' matches no ONNX node
// NODEDT: error: node-dtypes entry 'relu_1=int4': expected PATTERN=ACT[:WEIGHT] with ACT and WEIGHT int8 or int16
func.func @f(%arg0: tensor<4xf32> {tessera.range = array<f64: 0.0, 1.0>}) -> tensor<4xf32> {
  %0 = tosa.clamp %arg0 {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32, onnx.node = "relu_1", tessera.range = array<f64: 0.0, 1.0>} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
