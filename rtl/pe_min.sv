// Min-selector processing element (DESIGN.md §3, docs/accelerator.md):
//   acc += sgn(a)·sgn(b)·min(|a|, |b|)
// The magnitudes are 9 bits wide so that |-128| = 128 is exact; a zero operand has magnitude 0 and
// therefore contributes 0 whatever the sign. The accumulator wraps (two's complement) on overflow.
//
// Control (synchronous to clk, rst_n is an asynchronous active-low reset of the accumulator):
//   clear en | next acc
//     0    0 | acc            (hold)
//     0    1 | acc + term     (accumulate)
//     1    0 | 0              (clear)
//     1    1 | term           (clear and accumulate the first term of a new reduction)
// Double buffering: when en and last are both high (the last term of a reduction), the completed sum (the
// next acc) is also loaded into the result register res, which keeps it while the accumulator goes on with
// the next reduction; res holds otherwise. res has no reset: it is read only after a reduction wrote it.
// ACC_W >= 11 (the term needs 9 magnitude bits plus a sign).
module pe_min #(
    parameter int ACC_W = 32
) (
    input  logic                    clk,
    input  logic                    rst_n,
    input  logic                    clear,
    input  logic                    en,
    input  logic                    last,  // with en: the last term of a reduction, load the sum into res
    input  logic signed [      7:0] a,
    input  logic signed [      7:0] b,
    output logic signed [ACC_W-1:0] res    // result of the last completed reduction (registered)
);
  logic [8:0] mag_a, mag_b, mag;
  logic neg;
  logic signed [ACC_W-1:0] mag_ext, term, base, sum;
  logic signed [ACC_W-1:0] acc;  // the working accumulator

  // |x| of a two's complement int8 as an unsigned 9-bit value (0..128).
  assign mag_a = a[7] ? 9'(~{a[7], a} + 9'd1) : {1'b0, a};
  assign mag_b = b[7] ? 9'(~{b[7], b} + 9'd1) : {1'b0, b};
  assign mag = (mag_a < mag_b) ? mag_a : mag_b;  // the min-selector: one comparator, one 2:1 mux
  assign neg = a[7] ^ b[7];
  assign mag_ext = {{(ACC_W - 9) {1'b0}}, mag};
  assign term = neg ? -mag_ext : mag_ext;
  assign base = clear ? '0 : acc;
  assign sum  = base + term;

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) acc <= '0;
    else if (en) acc <= sum;
    else if (clear) acc <= '0;
  end

  always_ff @(posedge clk) begin
    if (en && last) res <= sum;
  end
endmodule
