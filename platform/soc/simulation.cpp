#include "platform/soc/simulation.h"

#include <sysc/kernel/sc_dynamic_processes.h>

namespace minconv::platform {

void configure_reports() {
  using sc_core::sc_report_handler;
  sc_report_handler::set_actions(sc_core::SC_ERROR, sc_core::SC_DISPLAY | sc_core::SC_LOG);
  sc_report_handler::set_actions(sc_core::SC_WARNING, sc_core::SC_DISPLAY | sc_core::SC_LOG);
  // Deprecation chatter from the kernel itself is not the user's business.
  sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", sc_core::SC_DO_NOTHING);
  // "Simulation stopped by user": the runner stops the simulation after the last program, as designed.
  sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
}

unsigned error_count() {
  return sc_core::sc_report_handler::get_count(sc_core::SC_ERROR) +
         sc_core::sc_report_handler::get_count(sc_core::SC_FATAL);
}

bool run_in_sequence(const std::vector<Soc*>& socs, std::string& why) {
  if (socs.empty()) return true;
  for (std::size_t i = 1; i < socs.size(); ++i)
    socs[i]->cpu().set_start_gate(&socs[i - 1]->cpu().done_event());
  const CpuStub* last = &socs.back()->cpu();
  sc_core::sc_spawn([last] {
    sc_core::wait(last->done_event());
    sc_core::sc_stop();
  });
  sc_core::sc_start();
  for (const Soc* s : socs) {
    if (!s->cpu().finished()) {
      why = std::string(s->name()) +
            ": the CPU program did not finish (the simulation ran out of events at " +
            sc_core::sc_time_stamp().to_string() + ")";
      return false;
    }
  }
  return true;
}

}  // namespace minconv::platform
