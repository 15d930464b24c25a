// SPDX-License-Identifier: GPL-2.0
/* Fixture: every hot-add here must be reported. */
static int bad_plain(int nid, u64 start, u64 size)
{
	return add_memory(nid, start, size, MHP_NONE);
}

static int bad_driver_managed(struct dev_dax *dev_dax, struct range *r)
{
	int rc;

	rc = add_memory_driver_managed(0, r->start, range_len(r),
				       "System RAM (kmem)", MHP_NID_IS_MGID);
	return rc;
}

static int bad_locked(int nid, u64 start, u64 size)
{
	lock_device_hotplug();
	__add_memory(nid, start, size, MHP_NONE);
	unlock_device_hotplug();
	return 0;
}

static int bad_resource(int nid, struct resource *res)
{
	return add_memory_resource(nid, res, MHP_MERGE_RESOURCE);
}
