// SPDX-License-Identifier: GPL-2.0
/*
 * memcap test driver: a stand-in for a device that owns cacheable memory
 * outside boot RAM (GPU memory, CXL, a BAR), and a model of how such a
 * driver describes that memory before it exposes it.
 *
 * The memory is [memcap_test.base, + memcap_test.size): real RAM that the
 * kernel was told not to use (mem=).  Through /dev/memcap_test, a test can
 *  - register and unregister capability records for sub-ranges;
 *  - mmap a sub-range cacheable, write-combine or Device, with VM_IO |
 *    VM_PFNMAP and optionally VM_ALLOW_ANY_UNCACHED, as vfio-pci and
 *    nvgrace-gpu do, or map the struct pages of a memremap, up front
 *    (VM_MIXEDMAP) or at fault time into an ordinary VMA, as /dev/dax;
 *  - memremap_pages() a sub-range as COHERENT, GENERIC or P2PDMA;
 *  - hot-add a sub-range with add_memory_driver_managed(), and remove it.
 * Bad requests get an errno, never a WARN: the checks below run before the
 * mm calls that would WARN on them.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/init.h>
#include <linux/ioport.h>
#include <linux/list.h>
#include <linux/memcap.h>
#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/memremap.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "memcap_test.h"
#include "../../mm/memcap_test_compat.h"

static u64 base;
module_param(base, ullong, 0444);
MODULE_PARM_DESC(base, "physical start of the memory the device owns");
static u64 size;
module_param(size, ullong, 0444);
MODULE_PARM_DESC(size, "size of that memory (0: no device)");

/* A memremap or a hot-add that is in place. */
struct memcap_test_user {
	struct list_head node;
	phys_addr_t start;
	phys_addr_t size;
	bool hotplug;
	unsigned int vmas;		/* user VMAs that map the pages */
	struct dev_pagemap pgmap;
};

static struct memcap_test {
	struct miscdevice misc;
	struct resource res;
	struct mutex lock;		/* protects users */
	struct list_head users;
} mt = {
	.lock = __MUTEX_INITIALIZER(mt.lock),
	.users = LIST_HEAD_INIT(mt.users),
};

struct memcap_test_file {
	struct memcap_test_map map;
};

static int memcap_test_range(const struct memcap_test_range *r,
			     phys_addr_t align, phys_addr_t *start)
{
	if (!r->size || !IS_ALIGNED(r->offset, align) ||
	    !IS_ALIGNED(r->size, align))
		return -EINVAL;
	if (r->offset >= size || r->size > size - r->offset)
		return -ERANGE;
	*start = base + r->offset;
	return 0;
}

static struct memcap_test_user *memcap_test_find(phys_addr_t start,
						 phys_addr_t len, bool exact)
{
	struct memcap_test_user *u;

	lockdep_assert_held(&mt.lock);
	list_for_each_entry(u, &mt.users, node) {
		if (exact ? (u->start == start && u->size == len) :
			    (start < u->start + u->size && u->start < start + len))
			return u;
	}
	return NULL;
}

static int memcap_test_memremap(const struct memcap_test_range *r)
{
	struct memcap_test_user *u;
	phys_addr_t start;
	void *va;
	int ret;

	/* memremap_pages() works in subsections. */
	ret = memcap_test_range(r, SZ_2M, &start);
	if (ret)
		return ret;
	if (r->flags & ~MEMCAP_TEST_SET_CAPS)
		return -EINVAL;
	if (r->type != MEMCAP_TEST_COHERENT && r->type != MEMCAP_TEST_GENERIC &&
	    r->type != MEMCAP_TEST_P2PDMA)
		return -EINVAL;

	guard(mutex)(&mt.lock);
	if (memcap_test_find(start, r->size, false))
		return -EBUSY;
	u = kzalloc(sizeof(*u), GFP_KERNEL);
	if (!u)
		return -ENOMEM;
	u->start = start;
	u->size = r->size;
	u->pgmap.type = r->type;
	u->pgmap.range.start = start;
	u->pgmap.range.end = start + r->size - 1;
	u->pgmap.nr_range = 1;
	if (r->type == MEMCAP_TEST_COHERENT) {
		u->pgmap.ops = &memcap_test_pgmap_ops;
		u->pgmap.owner = &mt;
	}
	/* Describe the memory; without this the registry or the arch does. */
	if (r->flags & MEMCAP_TEST_SET_CAPS)
		pgmap_set_memcap(&u->pgmap, r->caps);

	va = memremap_pages(&u->pgmap, NUMA_NO_NODE);
	if (IS_ERR(va)) {
		/*
		 * A failed memremap_pages() leaves no percpu ref behind:
		 * percpu_ref_exit() clears ->data, which was NULL before.
		 * Tell the caller (tests/e2e/memcap_inject.c) if one lives on,
		 * and keep @u, which it may still reach.
		 */
		if (u->pgmap.ref.data) {
			pr_err("memcap_test: memremap_pages() failed (%ld) with its percpu ref live\n",
			       PTR_ERR(va));
			return -ENOTRECOVERABLE;
		}
		kfree(u);
		return PTR_ERR(va);
	}
	list_add(&u->node, &mt.users);
	return 0;
}

static int memcap_test_hotplug(const struct memcap_test_range *r)
{
	struct memcap_test_user *u;
	phys_addr_t start;
	int ret;

	ret = memcap_test_range(r, memory_block_size_bytes(), &start);
	if (ret)
		return ret;

	guard(mutex)(&mt.lock);
	if (memcap_test_find(start, r->size, false))
		return -EBUSY;
	u = kzalloc(sizeof(*u), GFP_KERNEL);
	if (!u)
		return -ENOMEM;
	u->start = start;
	u->size = r->size;
	u->hotplug = true;
	ret = add_memory_driver_managed(memory_add_physaddr_to_nid(start),
					start, r->size,
					"System RAM (memcap_test)", MHP_NONE);
	if (ret) {
		kfree(u);
		return ret;
	}
	list_add(&u->node, &mt.users);
	return 0;
}

static int memcap_test_undo(const struct memcap_test_range *r, bool hotplug)
{
	struct memcap_test_user *u;
	phys_addr_t start;
	int ret;

	ret = memcap_test_range(r, PAGE_SIZE, &start);
	if (ret)
		return ret;

	guard(mutex)(&mt.lock);
	u = memcap_test_find(start, r->size, true);
	if (!u || u->hotplug != hotplug)
		return -ENOENT;
	if (hotplug) {
		/* The blocks stay offline: nothing onlined them. */
		ret = remove_memory(u->start, u->size);
		if (ret)
			return ret;
	} else {
		/*
		 * Pages that a user VMA maps must stay: memunmap_pages()
		 * would free the struct pages under it.
		 */
		if (u->vmas)
			return -EBUSY;
		memunmap_pages(&u->pgmap);
	}
	list_del(&u->node);
	kfree(u);
	return 0;
}

/*
 * The references held on the struct pages of a memremap that is in place:
 * a test compares them before and after, to find references leaked by
 * whoever mapped the pages (GUP, KVM).
 */
static int memcap_test_refs(void __user *argp)
{
	struct memcap_test_refs r;
	struct memcap_test_user *u;
	phys_addr_t start, pa;

	if (copy_from_user(&r, argp, sizeof(r)))
		return -EFAULT;
	if (!r.size || !PAGE_ALIGNED(r.offset) || !PAGE_ALIGNED(r.size))
		return -EINVAL;
	if (r.offset >= size || r.size > size - r.offset)
		return -ERANGE;
	start = base + r.offset;
	r.refs = 0;
	scoped_guard(mutex, &mt.lock) {
		u = memcap_test_find(start, r.size, false);
		if (!u || u->hotplug || start < u->start ||
		    start + r.size > u->start + u->size)
			return -ENOENT;
		for (pa = start; pa < start + r.size; pa += PAGE_SIZE)
			r.refs += page_ref_count(pfn_to_page(PHYS_PFN(pa)));
	}
	return copy_to_user(argp, &r, sizeof(r)) ? -EFAULT : 0;
}

static long memcap_test_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	struct memcap_test_file *f = file->private_data;
	void __user *argp = (void __user *)arg;
	struct memcap_test_range r;
	struct memcap_test_map m;
	phys_addr_t start;
	int ret;

	switch (cmd) {
	case MEMCAP_TEST_REFS:
		return memcap_test_refs(argp);
	case MEMCAP_TEST_SET_MAP:
		if (copy_from_user(&m, argp, sizeof(m)))
			return -EFAULT;
		if (m.kind > MEMCAP_TEST_MAP_CACHED_HUGE ||
		    (m.flags & ~MEMCAP_TEST_ANY_UNCACHED))
			return -EINVAL;
		if (m.kind == MEMCAP_TEST_MAP_CACHED_HUGE && !MEMCAP_TEST_HUGE_PFNMAP)
			return -EOPNOTSUPP;
		f->map = m;
		return 0;
	case MEMCAP_TEST_REGISTER:
	case MEMCAP_TEST_UNREGISTER:
	case MEMCAP_TEST_MEMREMAP:
	case MEMCAP_TEST_MEMUNMAP:
	case MEMCAP_TEST_HOTPLUG:
	case MEMCAP_TEST_HOTREMOVE:
		if (copy_from_user(&r, argp, sizeof(r)))
			return -EFAULT;
		break;
	default:
		return -ENOTTY;
	}

	switch (cmd) {
	case MEMCAP_TEST_REGISTER:
		ret = memcap_test_range(&r, PAGE_SIZE, &start);
		return ret ?: memcap_register(start, r.size, r.caps,
					      KBUILD_MODNAME);
	case MEMCAP_TEST_UNREGISTER:
		ret = memcap_test_range(&r, PAGE_SIZE, &start);
		if (ret)
			return ret;
		ret = memcap_unregister(start, r.size);
		if (ret)
			return ret;
		/*
		 * Nothing may stay mapped under a record that is gone: zap
		 * the user mappings of the range, which makes KVM drop its
		 * stage-2 mappings (through the MMU notifier).  After the
		 * unregister, so that a fault racing with it either finds no
		 * record or is retried because of this invalidation.
		 */
		unmap_mapping_range(file->f_mapping, r.offset, r.size, 1);
		return 0;
	case MEMCAP_TEST_MEMREMAP:
		return memcap_test_memremap(&r);
	case MEMCAP_TEST_MEMUNMAP:
		return memcap_test_undo(&r, false);
	case MEMCAP_TEST_HOTPLUG:
		return memcap_test_hotplug(&r);
	default:
		return memcap_test_undo(&r, true);
	}
}

/* Count the VMAs that map a pgmap's pages, so it is never freed under them. */
static void memcap_test_vma_open(struct vm_area_struct *vma)
{
	struct memcap_test_user *u = vma->vm_private_data;

	guard(mutex)(&mt.lock);
	u->vmas++;
}

static void memcap_test_vma_close(struct vm_area_struct *vma)
{
	struct memcap_test_user *u = vma->vm_private_data;

	guard(mutex)(&mt.lock);
	u->vmas--;
}

/*
 * As /dev/dax: the page at the faulting offset, in an ordinary VMA.  The
 * VMA holds its pgmap in place (u->vmas), and an mremap() that grew it
 * past the pgmap gets SIGBUS.
 */
static vm_fault_t memcap_test_dax_fault(struct vm_fault *vmf)
{
	struct memcap_test_user *u = vmf->vma->vm_private_data;
	phys_addr_t phys = base + ((phys_addr_t)vmf->pgoff << PAGE_SHIFT);

	if (phys < u->start || phys >= u->start + u->size)
		return VM_FAULT_SIGBUS;
	return memcap_test_insert_page(vmf, pfn_to_page(PHYS_PFN(phys)));
}

/* As nvgrace-gpu's usemem: the pfn at the faulting offset, cacheable. */
static vm_fault_t memcap_test_pfn_fault(struct vm_fault *vmf)
{
	phys_addr_t off = (phys_addr_t)vmf->pgoff << PAGE_SHIFT;

	if (off >= size)
		return VM_FAULT_SIGBUS;
	return vmf_insert_pfn(vmf->vma, vmf->address, PHYS_PFN(base + off));
}

static const struct vm_operations_struct memcap_test_pfn_vm_ops = {
	.fault	= memcap_test_pfn_fault,
};

/*
 * As vfio-pci and nvgrace-gpu: a PMD-sized pfn mapping where the VMA and
 * the memory are aligned for one, so that KVM may map the memory with
 * stage-2 blocks; pages elsewhere.
 */
static vm_fault_t memcap_test_pfn_huge_fault(struct vm_fault *vmf,
					     unsigned int order)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long len = PAGE_SIZE << order;
	unsigned long addr = ALIGN_DOWN(vmf->address, len);
	phys_addr_t off = ((phys_addr_t)vma->vm_pgoff << PAGE_SHIFT) +
			  (addr - vma->vm_start);

	if (!order)
		return memcap_test_pfn_fault(vmf);
	if (order != PMD_ORDER || addr < vma->vm_start ||
	    vma->vm_end - addr < len || !IS_ALIGNED(base + off, len) ||
	    off >= size || size - off < len)
		return VM_FAULT_FALLBACK;
	return memcap_test_insert_pfn_pmd(vmf, PHYS_PFN(base + off));
}

static vm_fault_t memcap_test_pfn_fault_small(struct vm_fault *vmf)
{
	return memcap_test_pfn_huge_fault(vmf, 0);
}

static const struct vm_operations_struct memcap_test_pfn_huge_vm_ops = {
	.fault		= memcap_test_pfn_fault_small,
#if MEMCAP_TEST_HUGE_PFNMAP
	.huge_fault	= memcap_test_pfn_huge_fault,
#endif
};

static const struct vm_operations_struct memcap_test_pages_vm_ops = {
	.open	= memcap_test_vma_open,
	.close	= memcap_test_vma_close,
};

static const struct vm_operations_struct memcap_test_dax_vm_ops = {
	.open	= memcap_test_vma_open,
	.close	= memcap_test_vma_close,
	.fault	= memcap_test_dax_fault,
};

/* Map the struct pages of a memremap that is in place. */
static int memcap_test_mmap_pages(struct vm_area_struct *vma,
				  phys_addr_t start, phys_addr_t len, bool dax)
{
	struct memcap_test_user *u;
	unsigned long addr;
	int ret;

	guard(mutex)(&mt.lock);
	u = memcap_test_find(start, len, false);
	if (!u || u->hotplug || start < u->start ||
	    start + len > u->start + u->size ||
	    u->pgmap.type != MEMCAP_TEST_GENERIC)
		return -EINVAL;
	if (dax) {
		vma->vm_private_data = u;
		vma->vm_ops = &memcap_test_dax_vm_ops;
		u->vmas++;
		return 0;
	}
	for (addr = vma->vm_start; addr < vma->vm_end; addr += PAGE_SIZE) {
		/* On error mmap() zaps what went in, without ->close(). */
		ret = vm_insert_page(vma, addr, pfn_to_page(PHYS_PFN(start)));
		if (ret)
			return ret;
		start += PAGE_SIZE;
	}
	vma->vm_private_data = u;
	vma->vm_ops = &memcap_test_pages_vm_ops;
	u->vmas++;
	return 0;
}

static int memcap_test_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct memcap_test_file *f = file->private_data;
	phys_addr_t off = (phys_addr_t)vma->vm_pgoff << PAGE_SHIFT;
	phys_addr_t len = vma->vm_end - vma->vm_start;

	if (off >= size || len > size - off)
		return -EINVAL;
	/*
	 * Shared only: UNREGISTER zaps by file offset, which a private
	 * remap_pfn_range() mapping (vm_pgoff = pfn) would escape.
	 */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;

	switch (f->map.kind) {
	case MEMCAP_TEST_MAP_PAGES:
	case MEMCAP_TEST_MAP_DAX:
		return memcap_test_mmap_pages(vma, base + off, len,
					      f->map.kind == MEMCAP_TEST_MAP_DAX);
	case MEMCAP_TEST_MAP_CACHED_FAULT:
	case MEMCAP_TEST_MAP_CACHED_HUGE:
		vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
		vma->vm_ops = f->map.kind == MEMCAP_TEST_MAP_CACHED_HUGE ?
			      &memcap_test_pfn_huge_vm_ops : &memcap_test_pfn_vm_ops;
		return 0;
	case MEMCAP_TEST_MAP_WC:
		vma->vm_page_prot = pgprot_writecombine(vma->vm_page_prot);
		break;
	case MEMCAP_TEST_MAP_DEVICE:
		vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
		break;
	default:
		/* Cacheable: only safe for memory with a record saying so. */
		break;
	}
	if (f->map.flags & MEMCAP_TEST_ANY_UNCACHED)
		vm_flags_set(vma, VM_ALLOW_ANY_UNCACHED);
	/* remap_pfn_range() sets VM_IO | VM_PFNMAP, as for a vfio BAR. */
	return remap_pfn_range(vma, vma->vm_start, PHYS_PFN(base + off), len,
			       vma->vm_page_prot);
}

static int memcap_test_open(struct inode *inode, struct file *file)
{
	struct memcap_test_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	file->private_data = f;
	return 0;
}

static int memcap_test_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static const struct file_operations memcap_test_fops = {
	.owner		= THIS_MODULE,
	.open		= memcap_test_open,
	.release	= memcap_test_release,
	.unlocked_ioctl	= memcap_test_ioctl,
	.mmap		= memcap_test_mmap,
};

static int __init memcap_test_init(void)
{
	int ret;

	if (!size)
		return 0;
	if (!PAGE_ALIGNED(base) || !PAGE_ALIGNED(size) || base + size < base) {
		pr_err("bad range %#llx+%#llx\n", base, size);
		return -EINVAL;
	}
	/* Claim the range, without making it busy: mm requests inside it. */
	mt.res.start = base;
	mt.res.end = base + size - 1;
	mt.res.flags = IORESOURCE_MEM;
	mt.res.name = KBUILD_MODNAME;
	ret = insert_resource(&iomem_resource, &mt.res);
	if (ret) {
		pr_err("cannot claim %pR: %d\n", &mt.res, ret);
		return ret;
	}
	mt.misc = (struct miscdevice) {
		.minor	= MISC_DYNAMIC_MINOR,
		.name	= "memcap_test",
		.fops	= &memcap_test_fops,
		.mode	= 0600,
	};
	ret = misc_register(&mt.misc);
	if (ret) {
		remove_resource(&mt.res);
		return ret;
	}
	pr_info("owns %pR\n", &mt.res);
	return 0;
}
device_initcall(memcap_test_init);

MODULE_DESCRIPTION("memcap test driver: device memory outside boot RAM");
MODULE_LICENSE("GPL");
