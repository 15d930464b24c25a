/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The KVM selftest library as Linux 6.12 has it, for memcap_stage2.c, which
 * every base shares; only this file differs.
 */
#ifndef MEMCAP_STAGE2_COMPAT_H
#define MEMCAP_STAGE2_COMPAT_H

#include "kvm_util.h"

/* vm_create() gives the VM no interrupt controller: nothing to finish. */
static inline void memcap_vcpus_added(struct kvm_vm *vm)
{
}

#endif /* MEMCAP_STAGE2_COMPAT_H */
