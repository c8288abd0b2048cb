// Output-stationary systolic PE array with double-buffered accumulators (docs/accelerator.md "Dataflow";
// protocol in docs/rtl.md).
//
// R x C PEs; PE (r, c) owns one accumulator and one result (shadow) register. The caller presents one
// un-skewed operand vector pair per reduction step k (w_in: one weight per row, x_in: one input per column);
// the array skews them itself: the weight of row r reaches PE (r, 0) r cycles late and then moves one PE right
// per cycle, the input of column c reaches PE (0, c) c cycles late and then moves one PE down per cycle. PE
// (r, c) therefore accumulates pair k on the clock edge k + r + c + 1, counting the edge that samples start as
// edge 1. On its last pair (edge K + r + c) a PE also loads the completed sum into its result register, and
// its accumulator is free for the next fold, whose first pair follows through the same wavefront. Row j is
// complete on edge K + j + C - 1 and is drained from the result registers in the next cycle: rows leave one
// per cycle, row 0 first, while the next fold computes; done is high together with the last row, so a
// synchronous consumer sees done on edge K + R + C - 1.
//
// Back to back: the next fold's start is accepted P = max(K, R, C) cycles after the previous one if it has the
// same K (a fold of another K waits until the array is idle; docs/rtl.md): K because the operand port takes
// one step per cycle, R because the drains of two folds share the output port, C because a row's result
// registers are written over C cycles (PE (j, 0) first) and a row is read in one cycle, so the next fold may
// overwrite PE (j, 0) only after row j was read.
//
// Packing: w_in[8r +: 8] = weight of row r, x_in[8c +: 8] = input of column c,
//          out_acc[ACC_W*c +: ACC_W] = result register of PE (out_row, c).
module pe_array #(
    parameter int R       = 4,
    parameter int C       = 4,
    parameter int ACC_W   = 32,
    parameter int PE_KIND = 0,   // 0: min-selector PE, 1: multiplier PE
    parameter int KW      = 16,  // width of k_len (max(R, C) < 2^KW)
    // derived, not to be overridden
    parameter int RW      = (R > 1) ? $clog2(R) : 1
) (
    input  logic               clk,
    input  logic               rst_n,      // asynchronous, active low
    // command: accepted on a rising edge when in_ready is high, no fold is being fed, and k_len equals the
    // previous fold's K or the array is idle (docs/rtl.md)
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
  localparam int NCTL = R + C - 2;  // length of the control delay lines
  localparam int PMIN = (R > C) ? R : C;  // minimum distance of two folds' last steps (and starts)

  // ---------------------------------------------------------------- sequencer
  // Down-counters, so that what feeds PE (0, 0) on the start edge stays shallow: rem_q = steps of the last
  // accepted fold still to come (K - 1 after its start edge), wait_q = cycles until a start may be accepted
  // again (max(K, PMIN) - 1 after the start edge); kq_q = K of the last accepted fold (0 after reset).
  logic [KW-1:0] rem_q, wait_q, kq_q, wait_d;
  logic          dv_q;   // a row is being drained
  logic [RW-1:0] row_q;  // which one
  logic          feed, start_ok, accept, step, last_step, pending, busy_c;

  assign feed      = rem_q != '0;   // steps 1 .. K-1 of the last accepted fold
  assign start_ok  = wait_q == '0;  // implies !feed
  assign in_ready  = feed || start_ok;
  // While folds are in flight only a fold of the same K is accepted (all folds of a tile): that keeps the
  // folds' last steps PMIN apart. A fold of another K waits until the array is idle.
  assign accept    = start && (k_len != '0) && start_ok && (!busy_c || k_len == kq_q);
  assign step      = accept || feed;  // an operand pair enters PE (0, 0) on this edge
  assign last_step = accept ? (k_len == KW'(1)) : (rem_q == KW'(1));
  assign wait_d    = ((k_len > KW'(PMIN)) ? k_len : KW'(PMIN)) - KW'(1);
  assign busy_c    = feed || pending || dv_q;
  assign busy      = busy_c;
  assign out_valid = dv_q;
  assign out_row   = row_q;
  assign done      = dv_q && (row_q == RW'(R - 1));

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      rem_q  <= '0;
      wait_q <= '0;
      kq_q   <= '0;
    end else if (accept) begin
      rem_q  <= k_len - KW'(1);
      wait_q <= wait_d;
      kq_q   <= k_len;
    end else begin
      if (feed) rem_q <= rem_q - KW'(1);
      if (!start_ok) wait_q <= wait_q - KW'(1);
    end
  end

  // --------------------------------------------------- control delay lines
  // Tap d is what the PEs with r + c == d see: en = a step, clr = the first step of a fold, lst = the last
  // step of a fold, each delayed d cycles.
  logic [NCTL:0] en_tap, clr_tap, lst_tap;
  if (NCTL > 0) begin : g_ctl
    logic [NCTL-1:0] en_q, clr_q, lst_q;
    always_ff @(posedge clk or negedge rst_n) begin
      if (!rst_n) begin
        en_q  <= '0;
        clr_q <= '0;
        lst_q <= '0;
      end else begin
        en_q  <= en_tap[NCTL-1:0];
        clr_q <= clr_tap[NCTL-1:0];
        lst_q <= lst_tap[NCTL-1:0];
      end
    end
    assign en_tap  = {en_q, step};
    assign clr_tap = {clr_q, accept};
    assign lst_tap = {lst_q, last_step};
    assign pending = |lst_q;  // a fold's last step is still on its way through the array
  end else begin : g_noctl
    assign en_tap  = step;
    assign clr_tap = accept;
    assign lst_tap = last_step;
    assign pending = 1'b0;
  end

  // --------------------------------------------------- drain sequencer
  // Row 0 is complete when the last step has reached PE (0, C-1), i.e. in the cycle after lst_tap[C-1]; rows
  // follow one per cycle, as they complete. Drains never overlap (the last steps of two folds are >= R apart);
  // a new drain may start in the cycle after the previous one's last row.
  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      dv_q  <= 1'b0;
      row_q <= '0;
    end else if (lst_tap[C-1]) begin
      dv_q  <= 1'b1;
      row_q <= '0;
    end else if (done) begin
      dv_q <= 1'b0;
    end else if (dv_q) begin
      row_q <= RW'(row_q + RW'(1));
    end
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
  logic [R*C*ACC_W-1:0] res;  // result register of PE (r, c) at res[ACC_W*(r*C+c) +: ACC_W]
  for (genvar r = 0; r < R; r++) begin : g_row
    for (genvar c = 0; c < C; c++) begin : g_col
      if (PE_KIND == 0) begin : g_min
        pe_min #(.ACC_W(ACC_W)) u_pe (
            .clk  (clk),
            .rst_n(rst_n),
            .clear(clr_tap[r+c]),
            .en   (en_tap[r+c]),
            .last (lst_tap[r+c]),
            .a    (x_op[8*(r*C+c)+:8]),
            .b    (w_op[8*(r*C+c)+:8]),
            .res  (res[ACC_W*(r*C+c)+:ACC_W])
        );
      end else begin : g_mul
        pe_mul #(.ACC_W(ACC_W)) u_pe (
            .clk  (clk),
            .rst_n(rst_n),
            .clear(clr_tap[r+c]),
            .en   (en_tap[r+c]),
            .last (lst_tap[r+c]),
            .a    (x_op[8*(r*C+c)+:8]),
            .b    (w_op[8*(r*C+c)+:8]),
            .res  (res[ACC_W*(r*C+c)+:ACC_W])
        );
      end
    end
  end

  // --------------------------------------------------- drain: one row of result registers per cycle
  assign out_acc = res[C*ACC_W*row_q+:C*ACC_W];
endmodule
