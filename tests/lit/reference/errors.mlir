// tessera-run errors: one line, naming the op and its location.
// RUN: not tessera-run %s --print 2>&1 | FileCheck %s --check-prefix=UNSUP
// RUN: not tessera-run %s --function takes_input --print 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not tessera-run %s --function nope --print 2>&1 | FileCheck %s --check-prefix=NOFUNC
// RUN: not tessera-run %s --function main 2>&1 | FileCheck %s --check-prefix=NODIR

// UNSUP: error: @main has 1 op(s) the reference executors do not support: 'tosa.sin' at loc("my_sin")
// UNSUP-NOT: error
func.func @main() -> tensor<2xf32> {
  %x = "tosa.const"() {values = dense<1.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %y = tosa.sin %x : (tensor<2xf32>) -> tensor<2xf32> loc("my_sin")
  return %y : tensor<2xf32>
}

// MISSING: error: missing --input images=FILE.npy
func.func @takes_input(%x: tensor<2xf32> {onnx.name = "images"}) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}

// NOFUNC: error: {{.*}}errors.mlir: no function @nope (functions: @main, @takes_input)
// NODIR: error: --output-dir DIR is required (or --print)
