// Signal names for messages, trace properties and environment variables.
#ifndef TRACELANE_TRACER_CAPTURE_SIGNAL_NAMES_H_
#define TRACELANE_TRACER_CAPTURE_SIGNAL_NAMES_H_

#include <signal.h>

#include <optional>
#include <string>

namespace tracelane::internal {

// "SIGUSR2" for the signals tracelane deals with, else nullptr. Async-signal-safe
// (returns a static string).
inline const char* SignalAbbrev(int sig) {
  switch (sig) {
    case SIGUSR1: return "SIGUSR1";
    case SIGUSR2: return "SIGUSR2";
    case SIGHUP: return "SIGHUP";
    case SIGQUIT: return "SIGQUIT";
    case SIGPROF: return "SIGPROF";
    case SIGURG: return "SIGURG";
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGTRAP: return "SIGTRAP";
    default: return nullptr;
  }
}

// "SIGUSR2", or "signal 42" for others.
inline std::string SignalName(int sig) {
  const char* a = SignalAbbrev(sig);
  return a != nullptr ? a : "signal " + std::to_string(sig);
}

// Parses "USR2", "SIGUSR2", "sigusr2" or a number.
inline std::optional<int> ParseSignal(std::string text) {
  for (char& c : text) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  if (text.rfind("SIG", 0) == 0) text = text.substr(3);
  for (int sig = 1; sig < NSIG; ++sig) {
    const char* a = SignalAbbrev(sig);
    if (a != nullptr && text == a + 3) return sig;
  }
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos &&
      text.size() < 4) {
    const int sig = std::stoi(text);
    if (sig > 0 && sig < NSIG) return sig;
  }
  return std::nullopt;
}

}  // namespace tracelane::internal

#endif  // TRACELANE_TRACER_CAPTURE_SIGNAL_NAMES_H_
