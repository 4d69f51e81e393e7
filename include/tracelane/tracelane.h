// tracelane/tracelane.h: umbrella header; includes every public tracelane header.
#ifndef TRACELANE_TRACELANE_H_
#define TRACELANE_TRACELANE_H_

#include "tracelane/block.h"
#include "tracelane/capture.h"
#include "tracelane/config.h"
#include "tracelane/endpoint.h"
#include "tracelane/format.h"
#include "tracelane/pause.h"
#include "tracelane/sched.h"
#include "tracelane/sync.h"
#include "tracelane/trace.h"

#endif  // TRACELANE_TRACELANE_H_
