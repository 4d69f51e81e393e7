// Helper process for crash_overflow_test: enables crash capture on the main
// thread, then overflows the stack of another thread.
// Usage: fault_overflow_child DIR ours|app
//   ours: the thread relies on the alternate stack crash capture gives it
//   app:  the thread installs its own alternate stack before it records
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "tracelane/tracelane.h"

namespace {

bool g_app_stack = false;
char g_app_altstack[256 << 10];

// Stops only at an absurd depth the stack never reaches (keeps the compiler from
// calling it infinite recursion).
volatile int g_limit = 1 << 30;

[[gnu::noinline]] int Recurse(int depth) {
  TRACE_SCOPE("recurse");
  volatile char frame[1024];
  frame[0] = static_cast<char>(depth);
  if (depth >= g_limit) return frame[0];
  return Recurse(depth + 1) + frame[0];  // not a tail call: every frame stays
}

void* Victim(void*) {
  if (g_app_stack) {
    stack_t ss{};
    ss.ss_sp = g_app_altstack;
    ss.ss_size = sizeof(g_app_altstack);
    if (sigaltstack(&ss, nullptr) != 0) std::_Exit(5);
  }
  TRACE_THREAD_NAME("overflow-victim");
  if (g_app_stack) {  // registration kept the application's stack
    stack_t now{};
    sigaltstack(nullptr, &now);
    if (now.ss_sp != g_app_altstack) std::_Exit(6);
  }
  return reinterpret_cast<void*>(static_cast<intptr_t>(Recurse(0)));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  g_app_stack = std::strcmp(argv[2], "app") == 0;
  tracelane::CrashCaptureOptions o;
  o.directory = argv[1];
  if (!tracelane::EnableCrashCapture(o).ok()) return 3;
  TRACE_THREAD_NAME("overflow-main");
  { TRACE_SCOPE("main_before"); }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 512 << 10);
  pthread_t t;
  if (pthread_create(&t, &attr, &Victim, nullptr) != 0) return 4;
  pthread_join(t, nullptr);
  return 0;  // not reached: the victim's overflow kills the process
}
