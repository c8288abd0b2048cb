// Multiplier processing element (the baseline): acc += a·b, int8 x int8 -> 16-bit signed product.
// Same ports, control, result register and overflow behaviour (two's complement wrap) as pe_min:
//   clear en | next acc
//     0    0 | acc            (hold)
//     0    1 | acc + a·b      (accumulate)
//     1    0 | 0              (clear)
//     1    1 | a·b            (clear and accumulate the first term of a new reduction)
// en && last: res <= next acc (the completed reduction); otherwise res holds.
// ACC_W >= 17 (a·b spans -16256..16384).
module pe_mul #(
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
  logic signed [15:0] prod;
  logic signed [ACC_W-1:0] term, base, sum;
  logic signed [ACC_W-1:0] acc;  // the working accumulator

  assign prod = 16'($signed({{8{a[7]}}, a}) * $signed({{8{b[7]}}, b}));
  assign term = {{(ACC_W - 16) {prod[15]}}, prod};
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
