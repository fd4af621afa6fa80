// RUN: tessera-opt --split-input-file --tessera-fold-constants %s | FileCheck %s
// RUN: tessera-opt --split-input-file --tessera-fold-constants="max-elements=4" %s | FileCheck %s --check-prefix=LIMIT

// A transpose of a constant becomes the transposed constant; it keeps the
// op's onnx.* attributes, and the operand constant, now unused, is erased.
// [[1, 2, 3], [4, 5, 6]] transposed is [[1, 4], [2, 5], [3, 6]].

// CHECK-LABEL: func.func @transpose_const
// CHECK-NEXT: %[[C:.*]] = "tosa.const"() <{values = dense<{{\[}}[1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>}> {onnx.node = "t0", onnx.output = "wt"} : () -> tensor<3x2xf32>
// CHECK-NEXT: return %[[C]]
func.func @transpose_const() -> tensor<3x2xf32> {
  %c = "tosa.const"() {values = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>} : () -> tensor<2x3xf32>
  %t = tosa.transpose %c {perms = array<i32: 1, 0>, onnx.node = "t0", onnx.output = "wt"} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %t : tensor<3x2xf32>
}

// -----

// Chains fold in one sweep: reshape(const, const_shape) -> mul -> add. The
// reshape's const_shape goes too.
//   [1, 2, 3, 4] reshaped to 2x2, times splat 0.5 = [[0.5, 1], [1.5, 2]],
//   plus [10, 20] broadcast along rows = [[10.5, 21], [11.5, 22]].
// With max-elements=4 the 2x2 results still fold.

// CHECK-LABEL: func.func @chain
// CHECK-NEXT: %[[C:.*]] = "tosa.const"() <{values = dense<{{\[}}[1.050000e+01, 2.100000e+01], [1.150000e+01, 2.200000e+01]]> : tensor<2x2xf32>}> {onnx.node = "add0"} : () -> tensor<2x2xf32>
// CHECK-NEXT: return %[[C]]
// LIMIT-LABEL: func.func @chain
// LIMIT-NEXT: "tosa.const"() <{values = dense<{{\[}}[1.050000e+01, 2.100000e+01], [1.150000e+01, 2.200000e+01]]>
func.func @chain() -> tensor<2x2xf32> {
  %c = "tosa.const"() {values = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>} : () -> tensor<4xf32>
  %s = tosa.const_shape {values = dense<[2, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %r = tosa.reshape %c, %s : (tensor<4xf32>, !tosa.shape<2>) -> tensor<2x2xf32>
  %half = "tosa.const"() {values = dense<0.5> : tensor<1x1xf32>} : () -> tensor<1x1xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %m = tosa.mul %r, %half, %shift : (tensor<2x2xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<2x2xf32>
  %b = "tosa.const"() {values = dense<[[10.0, 20.0]]> : tensor<1x2xf32>} : () -> tensor<1x2xf32>
  %a = tosa.add %m, %b {onnx.node = "add0"} : (tensor<2x2xf32>, tensor<1x2xf32>) -> tensor<2x2xf32>
  return %a : tensor<2x2xf32>
}

// -----

// An op with a non-constant operand is left alone, and so is the constant
// it reads; a constant shared with a folded op stays for its other user.
//   exp(0) = 1.

// CHECK-LABEL: func.func @partial
// CHECK-NEXT: %[[Z:.*]] = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1x2xf32>}>
// CHECK-NEXT: %[[A:.*]] = tosa.add %arg0, %[[Z]]
// CHECK-NEXT: %[[ONE:.*]] = "tosa.const"() <{values = dense<1.000000e+00> : tensor<1x2xf32>}>
// CHECK-NEXT: %[[B:.*]] = tosa.add %[[A]], %[[ONE]]
// CHECK-NOT: tosa.exp
func.func @partial(%arg0: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %z = "tosa.const"() {values = dense<0.0> : tensor<1x2xf32>} : () -> tensor<1x2xf32>
  %a = tosa.add %arg0, %z : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  %e = tosa.exp %z : (tensor<1x2xf32>) -> tensor<1x2xf32>
  %b = tosa.add %a, %e : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  return %b : tensor<1x2xf32>
}

// -----

// Integer ops fold with the integer evaluator: TOSA MUL of i32 with
// shift 1 rounds (a * b + 2^0) >> 1: 7 * 3 -> 22 >> 1 = 11, -7 * 3 -> -20 >> 1
// = -10.

// CHECK-LABEL: func.func @integer
// CHECK-NEXT: "tosa.const"() <{values = dense<[11, -10]> : tensor<2xi32>}>
// CHECK-NEXT: return
func.func @integer() -> tensor<2xi32> {
  %a = "tosa.const"() {values = dense<[7, -7]> : tensor<2xi32>} : () -> tensor<2xi32>
  %b = "tosa.const"() {values = dense<3> : tensor<2xi32>} : () -> tensor<2xi32>
  %shift = "tosa.const"() {values = dense<1> : tensor<1xi8>} : () -> tensor<1xi8>
  %c = tosa.mul %a, %b, %shift : (tensor<2xi32>, tensor<2xi32>, tensor<1xi8>) -> tensor<2xi32>
  return %c : tensor<2xi32>
}

// -----

// max-elements bounds the result: a tile of 2 elements into 8 folds by
// default (8 <= 4194304) but not with max-elements=4.

// CHECK-LABEL: func.func @limit
// CHECK-NEXT: "tosa.const"() <{values = dense<[1.000000e+00, 2.000000e+00, 1.000000e+00, 2.000000e+00, 1.000000e+00, 2.000000e+00, 1.000000e+00, 2.000000e+00]> : tensor<8xf32>}>
// CHECK-NOT: tosa.tile
// LIMIT-LABEL: func.func @limit
// LIMIT: tosa.tile
func.func @limit() -> tensor<8xf32> {
  %c = "tosa.const"() {values = dense<[1.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %m = tosa.const_shape {values = dense<4> : tensor<1xindex>} : () -> !tosa.shape<1>
  %t = tosa.tile %c, %m : (tensor<2xf32>, !tosa.shape<1>) -> tensor<8xf32>
  return %t : tensor<8xf32>
}

// -----

// Ops the evaluator does not know stay (tosa.argmax).

// CHECK-LABEL: func.func @unknown
// CHECK: tosa.argmax
func.func @unknown() -> tensor<i32> {
  %c = "tosa.const"() {values = dense<[1.0, 3.0, 2.0]> : tensor<3xf32>} : () -> tensor<3xf32>
  %a = tosa.argmax %c {axis = 0 : i32} : (tensor<3xf32>) -> tensor<i32>
  return %a : tensor<i32>
}
