// Output-stationary systolic PE array (docs/accelerator.md "Dataflow"; protocol in docs/rtl.md).
//
// R x C PEs; PE (r, c) owns one accumulator. The caller presents one un-skewed operand vector pair per
// reduction step k (w_in: one weight per row, x_in: one input per column); the array skews them itself:
// the weight of row r reaches PE (r, 0) r cycles late and then moves one PE right per cycle, the input
// of column c reaches PE (0, c) c cycles late and then moves one PE down per cycle. PE (r, c) therefore
// accumulates pair k on the clock edge k + r + c + 1, counting the edge that samples start as edge 1.
// After the last PE has accumulated (edge K + R + C - 2) the accumulators are drained one row per
// cycle (row 0 first); done is high together with the last row, so a synchronous consumer sees done on
// edge K + R + C - 2 + R = T_fold.
//
// Packing: w_in[8r +: 8] = weight of row r, x_in[8c +: 8] = input of column c,
//          out_acc[ACC_W*c +: ACC_W] = accumulator of PE (out_row, c).
module pe_array #(
    parameter int R       = 4,
    parameter int C       = 4,
    parameter int ACC_W   = 32,
    parameter int PE_KIND = 0,   // 0: min-selector PE, 1: multiplier PE
    parameter int KW      = 16,  // width of k_len
    // derived, not to be overridden
    parameter int RW      = (R > 1) ? $clog2(R) : 1,
    parameter int CW      = KW + 2
) (
    input  logic               clk,
    input  logic               rst_n,      // asynchronous, active low
    // command: sampled on a rising edge when in_ready is high
    input  logic               start,
    input  logic [     KW-1:0] k_len,      // K >= 1; a start with k_len == 0 is ignored
    // operand vectors of the next step, consumed on every edge where in_ready is high and either a start
    // is accepted or a fold is still being fed
    input  logic [    R*8-1:0] w_in,
    input  logic [    C*8-1:0] x_in,
    output logic               in_ready,
    // status and results
    output logic               busy,
    output logic               out_valid,
    output logic [     RW-1:0] out_row,
    output logic [C*ACC_W-1:0] out_acc,
    output logic               done
);
  localparam int NCTL = R + C - 2;  // length of the control delay line
  localparam int unsigned DRAIN_OFS = R + C - 2;  // K + DRAIN_OFS: cnt of the cycle showing row 0
  localparam int unsigned LAST_OFS = 2 * R + C - 3;  // K + LAST_OFS: cnt of the cycle showing done

  // ---------------------------------------------------------------- sequencer
  logic          busy_q;
  logic [CW-1:0] cnt_q;    // clock edges since (and including) the start edge
  logic [CW-1:0] kq_q;     // K
  logic [CW-1:0] drain_q;  // K + R + C - 2: cnt value of the cycle that shows row 0
  logic [CW-1:0] last_q;   // K + 2R + C - 3: cnt value of the cycle that shows row R-1 and done
  logic [RW-1:0] row_q;
  logic          accept, feed, step;

  assign done      = busy_q && (cnt_q == last_q);
  assign feed      = busy_q && (cnt_q < kq_q);
  assign in_ready  = !busy_q || feed;
  assign accept    = start && (k_len != '0) && !busy_q;
  assign step      = accept || feed;  // an operand pair enters PE (0, 0) on this edge
  assign busy      = busy_q;
  assign out_valid = busy_q && (cnt_q >= drain_q);
  assign out_row   = row_q;

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      busy_q  <= 1'b0;
      cnt_q   <= '0;
      kq_q    <= '0;
      drain_q <= '0;
      last_q  <= '0;
      row_q   <= '0;
    end else begin
      if (accept) begin
        busy_q  <= 1'b1;
        cnt_q   <= CW'(1);
        kq_q    <= CW'(k_len);
        drain_q <= CW'(k_len) + CW'(DRAIN_OFS);
        last_q  <= CW'(k_len) + CW'(LAST_OFS);
      end else if (done) begin
        busy_q <= 1'b0;  // the next start is accepted at the earliest on the edge after the one that sees done
      end else if (busy_q) begin
        cnt_q <= cnt_q + CW'(1);
      end
      row_q <= (out_valid && !done) ? RW'(row_q + RW'(1)) : '0;
    end
  end

  // --------------------------------------------------- control delay line
  // tap d of en/clr is what PEs with r + c == d see: step (resp. the first step of a fold) delayed d.
  logic [NCTL:0] en_tap, clr_tap;
  if (NCTL > 0) begin : g_ctl
    logic [NCTL-1:0] en_q, clr_q;
    always_ff @(posedge clk or negedge rst_n) begin
      if (!rst_n) begin
        en_q  <= '0;
        clr_q <= '0;
      end else begin
        en_q  <= en_tap[NCTL-1:0];
        clr_q <= clr_tap[NCTL-1:0];
      end
    end
    assign en_tap  = {en_q, step};
    assign clr_tap = {clr_q, accept};
  end else begin : g_noctl
    assign en_tap  = step;
    assign clr_tap = accept;
  end

  // --------------------------------------------------- operand movement
  // Operands PE (r, c) sees this cycle: w_op[8*(r*C+c) +: 8], x_op[8*(r*C+c) +: 8]. (Flat vectors: Yosys
  // 0.23 does not parse multi-dimensional packed arrays.)
  logic [R*C*8-1:0] w_op, x_op;
  for (genvar r = 0; r < R; r++) begin : g_wrow
    // Row r: w_in[r] delayed r cycles (skew) then C-1 more (one PE to the right per cycle): r + C - 1
    // registers; PE (r, c) taps the output of register r + c (tap 0 is w_in itself).
    localparam int N = r + C - 1;
    if (N > 0) begin : g_chain
      logic [N*8-1:0] q;  // register j at q[8*j +: 8]
      always_ff @(posedge clk) begin
        q[7:0] <= w_in[8*r+:8];
        for (int j = 1; j < N; j++) q[8*j+:8] <= q[8*(j-1)+:8];
      end
      for (genvar c = 0; c < C; c++) begin : g_tap
        if (r + c == 0) begin : g_in
          assign w_op[8*(r*C+c)+:8] = w_in[8*r+:8];
        end else begin : g_reg
          assign w_op[8*(r*C+c)+:8] = q[8*(r+c-1)+:8];
        end
      end
    end else begin : g_direct
      assign w_op[8*(r*C)+:8] = w_in[8*r+:8];
    end
  end
  for (genvar c = 0; c < C; c++) begin : g_xcol
    // Column c: x_in[c] delayed c cycles, then one PE down per cycle: c + R - 1 registers.
    localparam int N = c + R - 1;
    if (N > 0) begin : g_chain
      logic [N*8-1:0] q;  // register j at q[8*j +: 8]
      always_ff @(posedge clk) begin
        q[7:0] <= x_in[8*c+:8];
        for (int j = 1; j < N; j++) q[8*j+:8] <= q[8*(j-1)+:8];
      end
      for (genvar r = 0; r < R; r++) begin : g_tap
        if (r + c == 0) begin : g_in
          assign x_op[8*(r*C+c)+:8] = x_in[8*c+:8];
        end else begin : g_reg
          assign x_op[8*(r*C+c)+:8] = q[8*(r+c-1)+:8];
        end
      end
    end else begin : g_direct
      assign x_op[8*c+:8] = x_in[8*c+:8];
    end
  end

  // --------------------------------------------------- the PEs
  logic [R*C*ACC_W-1:0] acc;  // PE (r, c) at acc[ACC_W*(r*C+c) +: ACC_W]
  for (genvar r = 0; r < R; r++) begin : g_row
    for (genvar c = 0; c < C; c++) begin : g_col
      if (PE_KIND == 0) begin : g_min
        pe_min #(.ACC_W(ACC_W)) u_pe (
            .clk  (clk),
            .rst_n(rst_n),
            .clear(clr_tap[r+c]),
            .en   (en_tap[r+c]),
            .a    (x_op[8*(r*C+c)+:8]),
            .b    (w_op[8*(r*C+c)+:8]),
            .acc  (acc[ACC_W*(r*C+c)+:ACC_W])
        );
      end else begin : g_mul
        pe_mul #(.ACC_W(ACC_W)) u_pe (
            .clk  (clk),
            .rst_n(rst_n),
            .clear(clr_tap[r+c]),
            .en   (en_tap[r+c]),
            .a    (x_op[8*(r*C+c)+:8]),
            .b    (w_op[8*(r*C+c)+:8]),
            .acc  (acc[ACC_W*(r*C+c)+:ACC_W])
        );
      end
    end
  end

  // --------------------------------------------------- drain: one row per cycle, row 0 first
  assign out_acc = acc[C*ACC_W*row_q+:C*ACC_W];
endmodule
