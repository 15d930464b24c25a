// SPDX-License-Identifier: GPL-2.0
/*
 * Fixture: a scoped_guard() body runs exactly once, so a record
 * registered in it describes the memory hot-added after it.
 */
static int good_scoped(struct foo *f, int nid, u64 start, u64 size)
{
	int ret;

	scoped_guard(mutex, &f->lock) {
		ret = memcap_register(start, size, f->caps, "foo");
		if (ret)
			return ret;
	}
	return add_memory_driver_managed(nid, start, size, "System RAM (foo)",
					 MHP_NONE);
}

static int good_scoped_stmt(struct device *dev, struct foo *f, int nid,
			    u64 start, u64 size)
{
	scoped_guard(mutex, &f->lock)
		devm_memcap_register(dev, start, size, f->caps);
	return add_memory(nid, start, size, MHP_NONE);
}

static int good_cond(struct foo *f, int nid, u64 start, u64 size)
{
	/* the body is skipped only when _fail returns */
	scoped_cond_guard(mutex_intr, return -EINTR, &f->lock) {
		if (memcap_register(start, size, f->caps, "foo"))
			return -EINVAL;
	}
	return add_memory(nid, start, size, MHP_NONE);
}
