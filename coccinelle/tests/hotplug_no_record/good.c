// SPDX-License-Identifier: GPL-2.0
/* Fixture: nothing here may be reported. */
static int good_recorded(struct device *dev, int nid, u64 start, u64 size)
{
	int ret = devm_memcap_register(dev, start, size, caps);

	if (ret)
		return ret;
	return add_memory_driver_managed(nid, start, size, "System RAM (x)",
					 MHP_NONE);
}

static int good_resource(struct resource *res, int nid)
{
	if (memcap_register_resource(res, caps, "cxl"))
		return -EINVAL;
	return add_memory(nid, res->start, resource_size(res), MHP_NONE);
}

static int not_a_hot_add(int nid)
{
	return remove_memory(0, 0);
}
