; ELTWISE cmp_gt and select by hand (docs/isa.md): x [1,4] int8 at scale
; 0.5, zp 1 (x = 0.5 (q - 1)); Where(x > 0.5, x, 0.25) into y at scale 0.25,
; zp -1, with the condition also stored as c.
; layer 0: cmp_gt of a = x widened by the identity (2^30, 30) with a_zp 1
;          against b = the int32 threshold floor(0.5 / 0.5) = 1 at 0x0
;          (bcast scalar): q - 1 > 1;
; layer 1: select of a = x requantized by 0.5 / 0.25 = 2 = (2^30, 29),
;          a_zp 1, and b = 0.25 stored at scale 0.125 (q = 2 at 0x40) by
;          0.125 / 0.25 = (2^30, 31), + out_zp -1.
.target hand
.sram_bytes 0x400
.dram_bytes 0x200
.layer 0 name="gt" op="Greater" macs=0 shape=[1,4]
.layer 1 name="where" op="Where" macs=0 shape=[1,4]
.input name="x" dtype=int8 shape=[1,4] scale=0.5 zp=1 offset=0x100 layout=row_major
.output name="y" dtype=int8 shape=[1,4] scale=0.25 zp=-1 offset=0x140 layout=row_major
.output name="c" dtype=int8 shape=[1,4] scale=1 zp=0 offset=0x180 layout=row_major
.const name="gt.b" offset=0x0 size=4
.const name="where.b" offset=0x40 size=1
.data 0x0 0100000000000000000000000000000000000000000000000000000000000000
.data 0x20 0000000000000000000000000000000000000000000000000000000000000000
.data 0x40 0200000000000000000000000000000000000000000000000000000000000000
.data 0x60 0000000000000000000000000000000000000000000000000000000000000000
load load layer=0 kind=param elem=4 dram=0x0 sram=0x0 inner=4
load load layer=1 kind=param dram=0x40 sram=0x40 inner=1
load load layer=0 deps=push_next dram=0x100 sram=0x100 inner=4
load finish
compute eltwise layer=0 func=cmp_gt deps=pop_prev a=0x100 b=0x0 out=0x200 rows=1 channels=4 b_dtype=int32 bcast=scalar a_zp=1 a_mult=1073741824 a_shift=30 b_mult=1073741824 b_shift=30
compute eltwise layer=1 func=select deps=push_next a=0x100 b=0x40 c=0x200 out=0x300 rows=1 channels=4 bcast=scalar a_zp=1 a_mult=1073741824 a_shift=29 b_mult=1073741824 b_shift=31 out_zp=-1 clamp_min=-128 clamp_max=127
compute finish
store store layer=1 deps=pop_prev dram=0x140 sram=0x300 inner=4
store store layer=0 dram=0x180 sram=0x200 inner=4
store finish
