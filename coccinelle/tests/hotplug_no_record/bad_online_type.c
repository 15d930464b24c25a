// SPDX-License-Identifier: GPL-2.0
/* Fixture: 7.x's hot-add with an explicit online type (dax/kmem). */
static int bad_kmem(struct dev_dax *dev_dax, struct range *r, int mgid,
		    enum mmop online_type)
{
	return __add_memory_driver_managed(mgid, r->start, range_len(r),
					   "System RAM (kmem)", MHP_NID_IS_MGID,
					   online_type);
}
