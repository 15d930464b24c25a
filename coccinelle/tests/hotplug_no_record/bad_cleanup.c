// SPDX-License-Identifier: GPL-2.0
/*
 * Fixture: hot-adds inside <linux/cleanup.h> forms.  spatch 1.1.1 parses
 * none of these functions without coccinelle/macros.h, and then reports
 * nothing: each must be flagged.
 */
static int bad_scoped(struct foo *f, int nid, u64 start, u64 size)
{
	int rc;

	scoped_guard(mutex, &f->lock) {
		rc = add_memory(nid, start, size, MHP_NONE);
		if (rc)
			return rc;
	}
	return 0;
}

static int bad_scoped_stmt(struct foo *f, int nid, u64 start, u64 size)
{
	int rc;

	scoped_guard(spinlock_irqsave, &f->lock)
		rc = __add_memory(nid, start, size, MHP_NONE);
	return rc;
}

static int bad_cond(struct foo *f, int nid, struct resource *res)
{
	scoped_cond_guard(mutex_intr, return -EINTR, &f->lock) {
		return add_memory_resource(nid, res, MHP_NONE);
	}
	return 0;
}

static int bad_free(struct foo *f, int nid, u64 start, u64 size)
{
	char *name __free(kfree) = kasprintf(GFP_KERNEL, "System RAM (%s)", f->name);

	if (!name)
		return -ENOMEM;
	scoped_guard(mutex, &f->lock)
		f->busy = true;
	return add_memory_driver_managed(nid, start, size, no_free_ptr(name),
					 MHP_NONE);
}

static int bad_cond_skipped(struct foo *f, int nid, u64 start, u64 size)
{
	/* the record is skipped when the lock is not taken, the hot-add not */
	scoped_cond_guard(mutex_intr, f->err = -EINTR, &f->lock) {
		memcap_register(start, size, f->caps, "foo");
	}
	return add_memory(nid, start, size, MHP_NONE);
}
