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
//
// Written for a fast Verilator model as well as for Yosys (docs/rtl.md "Simulation speed"): the delay lines
// are flat vectors with one always_ff per register and constant indices only, marked split_var so that the
// Verilated model holds them as separate bytes and bits (metacomments, ignored by synthesis), and every PE
// has its own port signals. Only PE (0, 0) then depends on the input ports combinationally; every other PE
// reads registers.
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
  localparam int NCTL = R + C - 2;  // registers in each control delay line
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
  // Three lines of NT = R + C - 1 taps: en = a step, clr = the first step of a fold, lst = the last step of a
  // fold; tap d is the signal delayed d cycles (tap 0: the signal itself, tap d > 0: a register), what the PEs
  // with r + c == d see. One vector (at least 3 bits wide, so that it can be split even for a 1x1 array),
  // the tap d of the line at offset l in ctl[l + d].
  localparam int NT = NCTL + 1;
  localparam int EN = 0, CLR = NT, LST = 2 * NT;  // line offsets in ctl
  /*verilator tracing_off*/
  logic [3*NT-1:0] ctl  /*verilator split_var*/;
  /*verilator tracing_on*/
  assign ctl[EN]  = step;
  assign ctl[CLR] = accept;
  assign ctl[LST] = last_step;
  for (genvar d = 1; d < NT; d++) begin : g_ctl
    always_ff @(posedge clk or negedge rst_n) begin
      if (!rst_n) begin
        ctl[EN+d]  <= 1'b0;
        ctl[CLR+d] <= 1'b0;
        ctl[LST+d] <= 1'b0;
      end else begin
        ctl[EN+d]  <= ctl[EN+d-1];
        ctl[CLR+d] <= ctl[CLR+d-1];
        ctl[LST+d] <= ctl[LST+d-1];
      end
    end
  end
  if (NCTL > 0) begin : g_pending
    assign pending = |ctl[LST+1+:NCTL];  // a fold's last step is still on its way through the array
  end else begin : g_nopending
    assign pending = 1'b0;
  end

  // --------------------------------------------------- drain sequencer
  // Row 0 is complete when the last step has reached PE (0, C-1), i.e. in the cycle after lst tap C-1; rows
  // follow one per cycle, as they complete. Drains never overlap (the last steps of two folds are >= R apart);
  // a new drain may start in the cycle after the previous one's last row.
  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      dv_q  <= 1'b0;
      row_q <= '0;
    end else if (ctl[LST+C-1]) begin
      dv_q  <= 1'b1;
      row_q <= '0;
    end else if (done) begin
      dv_q <= 1'b0;
    end else if (dv_q) begin
      row_q <= RW'(row_q + RW'(1));
    end
  end

  // --------------------------------------------------- operand movement
  // Row r: w_in[r] delayed r cycles (skew), then one PE to the right per cycle: a line of r + C - 1 registers;
  // column c: x_in[c] delayed c cycles, then one PE down per cycle: c + R - 1 registers. Tap j of a line is the
  // port byte itself (j = 0) or the output of its register j - 1; PE (r, c) takes tap r + c of its row's and
  // of its column's line. All lines are in two flat vectors (Yosys 0.23 does not parse multi-dimensional
  // packed arrays): tap j of row r at wt[8*(WOFF(r) + j) +: 8], of column c at xt[8*(XOFF(c) + j) +: 8].
  localparam int NWT = R * C + R * (R - 1) / 2;  // Σ_r (r + C) taps
  localparam int NXT = R * C + C * (C - 1) / 2;  // Σ_c (c + R) taps
  /*verilator tracing_off*/
  logic [8*NWT-1:0] wt  /*verilator split_var*/;
  logic [8*NXT-1:0] xt  /*verilator split_var*/;
  /*verilator tracing_on*/
  for (genvar r = 0; r < R; r++) begin : g_wline
    localparam int OFF = r * C + r * (r - 1) / 2;  // WOFF(r)
    always_comb wt[8*OFF+:8] = w_in[8*r+:8];
    for (genvar j = 1; j < r + C; j++) begin : g_reg
      always_ff @(posedge clk) wt[8*(OFF+j)+:8] <= wt[8*(OFF+j-1)+:8];
    end
  end
  for (genvar c = 0; c < C; c++) begin : g_xline
    localparam int OFF = c * R + c * (c - 1) / 2;  // XOFF(c)
    always_comb xt[8*OFF+:8] = x_in[8*c+:8];
    for (genvar j = 1; j < c + R; j++) begin : g_reg
      always_ff @(posedge clk) xt[8*(OFF+j)+:8] <= xt[8*(OFF+j-1)+:8];
    end
  end

  // --------------------------------------------------- the PEs
  // Each PE's port signals are its own (Verilator does not split a vector a port is connected to a slice of).
  logic [R*C*ACC_W-1:0] res;  // result register of PE (r, c) at res[ACC_W*(r*C+c) +: ACC_W]
  for (genvar r = 0; r < R; r++) begin : g_row
    for (genvar c = 0; c < C; c++) begin : g_col
      localparam int WT = r * C + r * (r - 1) / 2 + r + c;  // tap r + c of row r
      localparam int XT = c * R + c * (c - 1) / 2 + r + c;  // tap r + c of column c
      logic clear, en, last;
      logic [7:0] a, b;
      logic [ACC_W-1:0] pe_res;
      assign clear = ctl[CLR+r+c];
      assign en    = ctl[EN+r+c];
      assign last  = ctl[LST+r+c];
      assign a     = xt[8*XT+:8];
      assign b     = wt[8*WT+:8];
      assign res[ACC_W*(r*C+c)+:ACC_W] = pe_res;
      if (PE_KIND == 0) begin : g_min
        pe_min #(.ACC_W(ACC_W)) u_pe (.clk(clk), .rst_n(rst_n), .clear(clear), .en(en), .last(last), .a(a), .b(b),
                                      .res(pe_res));
      end else begin : g_mul
        pe_mul #(.ACC_W(ACC_W)) u_pe (.clk(clk), .rst_n(rst_n), .clear(clear), .en(en), .last(last), .a(a), .b(b),
                                      .res(pe_res));
      end
    end
  end

  // --------------------------------------------------- drain: one row of result registers per cycle
  assign out_acc = res[C*ACC_W*row_q+:C*ACC_W];
endmodule
