// SPDX-License-Identifier: GPL-2.0-only
/// Find callers of add_memory(), __add_memory(), add_memory_driver_managed(),
/// __add_memory_driver_managed() (7.x: with an explicit online type, used
/// by dax/kmem) and add_memory_resource() that register no memcap record
/// in the same function.  Hot-added System RAM must be RAM-equivalent; without a
/// record its capabilities are what the architecture assumes of a range
/// outside boot memory, which on arm64 with MTE is refused.
///
/// The record may be registered elsewhere (at probe time, by firmware
/// code): each report needs a look.
///
// Confidence: Moderate
// Copyright: (C) 2026 The memcap authors.
// Options: --no-includes --include-headers
// Keywords: add_memory, add_memory_driver_managed, __add_memory_driver_managed, memcap_register

virtual context
virtual org
virtual report

// The hotplug core calls itself; test code adds memory without records on
// purpose.
@initialize:python@
@@
def excluded(p):
    f = p[0].file
    return (f.endswith('mm/memory_hotplug.c') or f.endswith('_kunit.c') or
            f.endswith('memcap_test.c'))

@r depends on org || report exists@
identifier fn;
position p;
@@

fn(...) {
  ... when != memcap_register(...)
      when != devm_memcap_register(...)
      when != memcap_register_resource(...)
      when != devm_memcap_register_resource(...)
(
  add_memory@p(...)
|
  __add_memory@p(...)
|
  add_memory_driver_managed@p(...)
|
  __add_memory_driver_managed@p(...)
|
  add_memory_resource@p(...)
)
  ... when any
}

@depends on context@
identifier fn;
@@

fn(...) {
  ... when != memcap_register(...)
      when != devm_memcap_register(...)
      when != memcap_register_resource(...)
      when != devm_memcap_register_resource(...)
(
* add_memory(...)
|
* __add_memory(...)
|
* add_memory_driver_managed(...)
|
* __add_memory_driver_managed(...)
|
* add_memory_resource(...)
)
  ... when any
}

@script:python depends on org@
p << r.p;
@@
if not excluded(p):
    coccilib.org.print_todo(p[0], "hot-add without a memcap record")

@script:python depends on report@
p << r.p;
@@
if not excluded(p):
    coccilib.report.print_report(p[0], "WARNING: memory hot-add without a memcap record for the range")
