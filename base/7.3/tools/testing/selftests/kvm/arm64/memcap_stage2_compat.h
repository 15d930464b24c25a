/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The KVM selftest library as Linux 7.3 has it, for memcap_stage2.c, which
 * every base shares; only this file differs.
 */
#ifndef MEMCAP_STAGE2_COMPAT_H
#define MEMCAP_STAGE2_COMPAT_H

#include "kvm_util.h"

/* vm_create() gave the VM a vGICv3, which needs its vCPUs first. */
static inline void memcap_vcpus_added(struct kvm_vm *vm)
{
	kvm_arch_vm_finalize_vcpus(vm);
}

#endif /* MEMCAP_STAGE2_COMPAT_H */
