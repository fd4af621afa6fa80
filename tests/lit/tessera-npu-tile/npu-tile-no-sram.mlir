// RUN: not tessera-opt --tessera-npu-tile %s 2>&1 | FileCheck %s
// CHECK: error: --tessera-npu-tile needs sram-bytes > 0, got 0
module {
}
