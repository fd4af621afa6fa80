// RUN: tessera-opt --split-input-file --tessera-lower-to-npu %s | FileCheck %s

// Bilinear resize by integer factors (docs/lowering.md): edge replication by
// DMA, one depthwise npu.conv2d per output phase with TOSA's integer
// interpolation weights, concats interleaving the phases.

// ONNX Resize linear x2 half_pixel as imported and folded on an asymmetric
// target: scale 4/2, offset -1, so output row oy = 2 y + p samples at
// (oy * 2 - 1) / 4: phase 0 reads rows y - 1 and y with weights 1 and 3
// (fraction 3/4), phase 1 rows y and y + 1 with weights 3 and 1; the same
// along x. The input is extended by one replicated row and column on each
// side (kernel rows -1..1 around y), and phase (py, px)'s 3x3 weights are
// the outer product of its row and column weights, e.g. (0, 0):
// [1 3 0] x [1 3 0] = [[1, 3, 0], [3, 9, 0], [0, 0, 0]], summing to
// n = 4 * 4 = 16. The sub of n * z_in = 16 * -3 is the conv's input_zp -3
// (sum w (v - z_in) = acc - 16 z_in), the rescale its epilogue.
// All of it is one layer-table row, the Resize node's.
// CHECK: npu.layers = [{name = "up", op_type = "Resize"}]
// CHECK-LABEL: func.func @bilinear_x2
// Per phase (py, px), the first channel's 3x3 weights (every channel has
// them): [1 3 0] or [0 3 1] along y times the same along x.
// CHECK-DAG: %[[W00:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[1\], \[3\], \[0\]\], \[\[3\], \[9\], \[0\]\], \[\[0\], \[0\], \[0\]\]\], .*}}> : tensor<3x3x3x1xi8>}>
// CHECK-DAG: %[[W01:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[0\], \[3\], \[1\]\], \[\[0\], \[9\], \[3\]\], \[\[0\], \[0\], \[0\]\]\], .*}}> : tensor<3x3x3x1xi8>}>
// CHECK-DAG: %[[W10:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[0\], \[0\], \[0\]\], \[\[3\], \[9\], \[0\]\], \[\[1\], \[3\], \[0\]\]\], .*}}> : tensor<3x3x3x1xi8>}>
// CHECK-DAG: %[[W11:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[0\], \[0\], \[0\]\], \[\[0\], \[9\], \[3\]\], \[\[0\], \[3\], \[1\]\]\], .*}}> : tensor<3x3x3x1xi8>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<0> : tensor<3xi32>}>
// Rows: replicated row 0, the input, replicated row 1.
// CHECK: %[[TOP:.*]] = npu.transpose %arg0 {layer = 0 : i64, offsets = array<i64: 0, 0, 0, 0>, perms = array<i64: 0, 1, 2, 3>} : (tensor<1x2x2x3xi8>) -> tensor<1x1x2x3xi8>
// CHECK: %[[BOT:.*]] = npu.transpose %arg0 {layer = 0 : i64, offsets = array<i64: 0, 1, 0, 0>, perms = array<i64: 0, 1, 2, 3>} : (tensor<1x2x2x3xi8>) -> tensor<1x1x2x3xi8>
// CHECK: %[[ROWS:.*]] = npu.concat %[[TOP]], %arg0, %[[BOT]] {axis = 1 : i64, layer = 0 : i64} : (tensor<1x1x2x3xi8>, tensor<1x2x2x3xi8>, tensor<1x1x2x3xi8>) -> tensor<1x4x2x3xi8>
// Columns: replicated column 0 and 1 around the rows, on [4, W * C] views.
// CHECK: %[[LEFT:.*]] = npu.transpose %[[ROWS]] {layer = 0 : i64, offsets = array<i64: 0, 0, 0, 0>, perms = array<i64: 0, 1, 2, 3>} : (tensor<1x4x2x3xi8>) -> tensor<1x4x1x3xi8>
// CHECK: %[[RIGHT:.*]] = npu.transpose %[[ROWS]] {layer = 0 : i64, offsets = array<i64: 0, 0, 1, 0>, perms = array<i64: 0, 1, 2, 3>} : (tensor<1x4x2x3xi8>) -> tensor<1x4x1x3xi8>
// CHECK: %[[L:.*]] = npu.reshape %[[LEFT]] {layer = 0 : i64} : (tensor<1x4x1x3xi8>) -> tensor<4x3xi8>
// CHECK: %[[M:.*]] = npu.reshape %[[ROWS]] {layer = 0 : i64} : (tensor<1x4x2x3xi8>) -> tensor<4x6xi8>
// CHECK: %[[R:.*]] = npu.reshape %[[RIGHT]] {layer = 0 : i64} : (tensor<1x4x1x3xi8>) -> tensor<4x3xi8>
// CHECK: %[[C:.*]] = npu.concat %[[L]], %[[M]], %[[R]] {axis = 1 : i64, layer = 0 : i64} : (tensor<4x3xi8>, tensor<4x6xi8>, tensor<4x3xi8>) -> tensor<4x12xi8>
// CHECK: %[[EXT:.*]] = npu.reshape %[[C]] {layer = 0 : i64} : (tensor<4x12xi8>) -> tensor<1x4x4x3xi8>
// One depthwise conv per phase, the rescale as its epilogue.
// CHECK: %[[P00:.*]] = npu.conv2d %[[EXT]], %[[W00]], %[[B]] {clamp_max = 127 : i64, clamp_min = -128 : i64, dilation = array<i64: 1, 1>, double_round = true, groups = 3 : i64, input_zp = -3 : i64, layer = 0 : i64, multiplier = array<i32: 1518500250>, output_zp = 5 : i64, pad = array<i64: 0, 0, 0, 0>, shift = array<i32: 35>, stride = array<i64: 1, 1>, weight_zp = 0 : i64} : (tensor<1x4x4x3xi8>, tensor<3x3x3x1xi8>, tensor<3xi32>) -> tensor<1x2x2x3xi8>
// CHECK: %[[P01:.*]] = npu.conv2d %[[EXT]], %[[W01]], %[[B]]
// x phases side by side in the channels ([1, 2, 2, 6] is [1, 2, 4, 3]).
// CHECK: %[[R0:.*]] = npu.concat %[[P00]], %[[P01]] {axis = 3 : i64, layer = 0 : i64} : (tensor<1x2x2x3xi8>, tensor<1x2x2x3xi8>) -> tensor<1x2x2x6xi8>
// CHECK: %[[P10:.*]] = npu.conv2d %[[EXT]], %[[W10]], %[[B]]
// CHECK: %[[P11:.*]] = npu.conv2d %[[EXT]], %[[W11]], %[[B]]
// CHECK: %[[R1:.*]] = npu.concat %[[P10]], %[[P11]] {axis = 3 : i64, layer = 0 : i64}
// y phases: row y of phase py is output row 2 y + py.
// CHECK: %[[V0:.*]] = npu.reshape %[[R0]] {layer = 0 : i64} : (tensor<1x2x2x6xi8>) -> tensor<2x12xi8>
// CHECK: %[[V1:.*]] = npu.reshape %[[R1]] {layer = 0 : i64} : (tensor<1x2x2x6xi8>) -> tensor<2x12xi8>
// CHECK: %[[Y:.*]] = npu.concat %[[V0]], %[[V1]] {axis = 1 : i64, layer = 0 : i64} : (tensor<2x12xi8>, tensor<2x12xi8>) -> tensor<2x24xi8>
// CHECK: %[[OUT:.*]] = npu.reshape %[[Y]] {layer = 0 : i64} : (tensor<2x24xi8>) -> tensor<1x4x4x3xi8>
// CHECK-NOT: tosa.
// CHECK: return %[[OUT]]
func.func @bilinear_x2(%x: tensor<1x2x2x3xi8>) -> tensor<1x4x4x3xi8> {
  %sc = tosa.const_shape {values = dense<[4, 2, 4, 2]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %of = tosa.const_shape {values = dense<-1> : tensor<2xindex>} : () -> !tosa.shape<2>
  %bo = tosa.const_shape {values = dense<1> : tensor<2xindex>} : () -> !tosa.shape<2>
  %r = tosa.resize %x, %sc, %of, %bo {mode = BILINEAR, onnx.node = "up"} : (tensor<1x2x2x3xi8>, !tosa.shape<4>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<1x4x4x3xi32>
  %nz = "tosa.const"() {values = dense<-48> : tensor<1x1x1x1xi32>} : () -> tensor<1x1x1x1xi32>
  %d = tosa.sub %r, %nz : (tensor<1x4x4x3xi32>, tensor<1x1x1x1xi32>) -> tensor<1x4x4x3xi32>
  %m = "tosa.const"() {values = dense<1518500250> : tensor<1xi32>} : () -> tensor<1xi32>
  %s = "tosa.const"() {values = dense<35> : tensor<1xi8>} : () -> tensor<1xi8>
  %z32 = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %oz = "tosa.const"() {values = dense<5> : tensor<1xi8>} : () -> tensor<1xi8>
  %o = tosa.rescale %d, %m, %s, %z32, %oz {scale32 = true, rounding_mode = DOUBLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x4x4x3xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x4x4x3xi8>
  return %o : tensor<1x4x4x3xi8>
}

// -----

// x3 half_pixel along H (scale 3/1, offset -1: phases 0, 1, 2 sample rows
// (y - 1, y) with fraction 2/3, (y, y + 1) with 0, (y, y + 1) with 1/3) and
// x1 along W (scale 1/1, offset 0: fraction 0, weight 1 on column x), on a
// symmetric target (no sub: input_zp 0), with a fused clamp (the conv's
// clamp_min/clamp_max). Kernel rows -1..1 and one column (no fraction
// along x): the input gains one replicated row on each side only.
// Phase weights: [1, 2, 0], [0, 3, 0], [0, 2, 1] (times 1), summing to 3.
// CHECK: npu.layers = [{name = "up3", op_type = "Resize"}]
// CHECK-LABEL: func.func @bilinear_x3_rows
// CHECK-DAG: %[[W0:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}1]], {{\[\[}}2]], {{\[\[}}0]]]]> : tensor<1x3x1x1xi8>}>
// CHECK-DAG: %[[W1:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}0]], {{\[\[}}3]], {{\[\[}}0]]]]> : tensor<1x3x1x1xi8>}>
// CHECK-DAG: %[[W2:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}0]], {{\[\[}}2]], {{\[\[}}1]]]]> : tensor<1x3x1x1xi8>}>
// CHECK: %[[EXT:.*]] = npu.concat %{{.*}}, %arg0, %{{.*}} {axis = 1 : i64, layer = 0 : i64} : (tensor<1x1x2x1xi8>, tensor<1x2x2x1xi8>, tensor<1x1x2x1xi8>) -> tensor<1x4x2x1xi8>
// CHECK: %[[P0:.*]] = npu.conv2d %[[EXT]], %[[W0]], {{.*}}clamp_max = 100 : i64, clamp_min = 0 : i64, {{.*}} input_zp = 0 : i64, {{.*}} -> tensor<1x2x2x1xi8>
// CHECK: %[[P1:.*]] = npu.conv2d %[[EXT]], %[[W1]]
// CHECK: %[[P2:.*]] = npu.conv2d %[[EXT]], %[[W2]]
// CHECK: %[[V0:.*]] = npu.reshape %[[P0]] {layer = 0 : i64} : (tensor<1x2x2x1xi8>) -> tensor<2x2xi8>
// CHECK: %[[V1:.*]] = npu.reshape %[[P1]]
// CHECK: %[[V2:.*]] = npu.reshape %[[P2]]
// CHECK: %[[Y:.*]] = npu.concat %[[V0]], %[[V1]], %[[V2]] {axis = 1 : i64, layer = 0 : i64} : (tensor<2x2xi8>, tensor<2x2xi8>, tensor<2x2xi8>) -> tensor<2x6xi8>
// CHECK: %[[OUT:.*]] = npu.reshape %[[Y]] {layer = 0 : i64} : (tensor<2x6xi8>) -> tensor<1x6x2x1xi8>
// CHECK-NOT: tosa.clamp
// CHECK: return %[[OUT]]
func.func @bilinear_x3_rows(%x: tensor<1x2x2x1xi8>) -> tensor<1x6x2x1xi8> {
  %sc = tosa.const_shape {values = dense<[3, 1, 1, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %of = tosa.const_shape {values = dense<[-1, 0]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %bo = tosa.const_shape {values = dense<[1, 0]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %r = tosa.resize %x, %sc, %of, %bo {mode = BILINEAR, onnx.node = "up3"} : (tensor<1x2x2x1xi8>, !tosa.shape<4>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<1x6x2x1xi32>
  %m = "tosa.const"() {values = dense<1431655765> : tensor<1xi32>} : () -> tensor<1xi32>
  %s = "tosa.const"() {values = dense<32> : tensor<1xi8>} : () -> tensor<1xi8>
  %z32 = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %oz = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %o = tosa.rescale %r, %m, %s, %z32, %oz {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<1x6x2x1xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x6x2x1xi8>
  %c = tosa.clamp %o {min_val = 0 : i8, max_val = 100 : i8} : (tensor<1x6x2x1xi8>) -> tensor<1x6x2x1xi8>
  return %c : tensor<1x6x2x1xi8>
}
