// libsystemc.so defines main() and needs an sc_main (extern "C", as systemc's sc_externs.h declares it); in a
// fuzz target libFuzzer's main runs instead (in bench/golden_bench, Google Benchmark's) and this one is never
// called.
extern "C" int sc_main(int, char*[]) { return 0; }
