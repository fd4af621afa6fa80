; A tiny two-layer program for the tessera-sim lit tests:
; layer 0: 3x3 pad-1 conv of x [1,2,4,4] (int8, zp -1) to 4 channels with
;          bias, one (multiplier, shift) = (1099511628, 38) = 0.004, fused ReLU;
; layer 1: 2x2/2 max pool to y [1,4,2,2] (int8, zp -3).
; DRAM: weights OHWI [4,3,3,2] at 0x0, bias int32[4] at 0x80, the pair at
; 0xc0; x at 0x100, y at 0x140. SRAM: the same offsets for the constants,
; x at 0x100, conv out [4,4,4] at 0x200, pool out [2,2,4] at 0x300.
.target hand
.sram_bytes 0x400
.dram_bytes 0x180
.layer 0 name="conv1" op="Conv" macs=1152 shape=[1,4,4,4]
.layer 1 name="pool1" op="MaxPool" macs=0 shape=[1,4,2,2]
.input name="x" dtype=int8 shape=[1,2,4,4] scale=0.05 zp=-1 offset=0x100 layout=nhwc
.output name="y" dtype=int8 shape=[1,4,2,2] scale=0.1 zp=-3 offset=0x140 layout=nhwc
.const name="conv1.w" offset=0x0 size=72
.const name="conv1.bias" offset=0x80 size=16
.const name="conv1.params" offset=0xc0 size=8
.data 0x0 964627f0ee5b9632b39806793c42374903a056f300deae6d4824e7520bf1f3ba
.data 0x20 970d63905b53c621aa4233da9178f2642d4742b1ddf7ff8b0ba73e2e6c3edd77
.data 0x40 e9d367de93f84bb0000000000000000000000000000000000000000000000000
.data 0x60 0000000000000000000000000000000000000000000000000000000000000000
.data 0x80 daffffff8dfeffffba000000e7ffffff00000000000000000000000000000000
.data 0xa0 0000000000000000000000000000000000000000000000000000000000000000
.data 0xc0 4c37894126000000000000000000000000000000000000000000000000000000
.data 0xe0 0000000000000000000000000000000000000000000000000000000000000000
load load layer=0 kind=weight dram=0x0 sram=0x0 inner=72
load load layer=0 kind=param elem=4 dram=0x80 sram=0x80 inner=16
load load layer=0 kind=param elem=4 dram=0xc0 sram=0xc0 inner=8
load load layer=0 deps=push_next dram=0x100 sram=0x100 inner=32
load finish
compute conv layer=0 deps=pop_prev in=0x100 w=0x0 bias=0x80 params=0xc0 out=0x200 ih=4 iw=4 ic=2 oc=4 kh=3 kw=3 pad_t=1 pad_b=1 pad_l=1 pad_r=1 bias_en=1 in_zp=-1 out_zp=-3 clamp_min=-3 clamp_max=127
compute pool layer=1 deps=push_next in=0x200 out=0x300 ih=4 iw=4 c=4 kh=2 kw=2 stride_h=2 stride_w=2 in_zp=-3 out_zp=-3
compute finish
store store layer=1 deps=pop_prev dram=0x140 sram=0x300 inner=16
store finish
