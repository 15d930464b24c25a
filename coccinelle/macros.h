// SPDX-License-Identifier: GPL-2.0-only
/*
 * Macro hints for spatch 1.1.1 (Debian 12), for the kernel forms its
 * standard.h predates: <linux/cleanup.h> (6.5 on) and the context-analysis
 * annotations of 7.x.  Without them spatch cannot parse a function that
 * uses scoped_guard(), scoped_cond_guard() or a __free() variable, and
 * silently drops every finding in it (on 7.3, 2861 functions in 1270 of
 * the 2644 files that use these forms; coccinelle/AUDIT-7.3.rst).
 *
 * tests/scripts/coccicheck.sh appends this file to spatch's own
 * standard.h and passes the result with --macro-file-builtins.  Given with
 * --macro-file instead, the same definitions are only tried after a region
 * failed to parse twice, a few macros per region, and many functions stay
 * unparsed.  Linux's scripts/coccicheck passes no macro file at all.
 *
 * Only control flow matters to the memcap scripts, so each form is reduced
 * to what the compiler guarantees about the code it wraps:
 *  - a guard whose body always runs exactly once (scoped_guard() of a lock,
 *    scoped_class(), the credential and fs overrides) expands to nothing:
 *    its body is a plain block, and a record registered in it is seen on
 *    every path after it;
 *  - a guard that may skip its body (scoped_cond_guard(), which runs its
 *    _fail statement instead) is an if/else, and the loop-like ones
 *    (seqlock reads, user-access regions, drm_exec) are iterators;
 *  - declarations (__free(), DEFINE_FREE(), DEFINE_GUARD() ...) and the
 *    context-analysis annotations expand to nothing.
 * guard(x)(...), CLASS(x, v)(...), ACQUIRE(), no_free_ptr(), return_ptr()
 * and retain_and_null_ptr() parse as calls already.
 */

/* include/linux/cleanup.h: statements */
#define scoped_guard(_name, args...)
#define scoped_class(_name, var, args...)
#define scoped_cond_guard(_name, _fail, args...) if (0) _fail; else

/* wrappers of the above */
#define scoped_with_creds(cred)
#define scoped_with_kernel_creds()
#define scoped_with_init_fs()
#define scoped_ksimd()
#define scoped_irqdesc_get_and_lock(_irq, _check) YACFE_ITERATOR
#define scoped_irqdesc_get_and_buslock(_irq, _check) YACFE_ITERATOR
#define scoped_timer_get_or_fail(_id) if (0) return -EINVAL; else
#define adis_dev_auto_scoped_lock(adis)

/* loops and regions that may be left early */
#define scoped_seqlock_read(_seqlock, _target) YACFE_ITERATOR
#define scoped_user_read_access(usrc, elbl) YACFE_ITERATOR
#define scoped_user_read_access_size(usrc, size, elbl) YACFE_ITERATOR
#define scoped_user_write_access(udst, elbl) YACFE_ITERATOR
#define scoped_user_write_access_size(udst, size, elbl) YACFE_ITERATOR
#define scoped_user_rw_access(uptr, elbl) YACFE_ITERATOR
#define scoped_user_rw_access_size(uptr, size, elbl) YACFE_ITERATOR
#define drm_exec_until_all_locked(exec) YACFE_ITERATOR
#define xe_validation_guard(_ctx, _val, _exec, _flags, _ret) YACFE_ITERATOR
#define for_each_if(condition) if (condition)

/* include/linux/cleanup.h: declarations */
#define __free(_name)
#define DEFINE_FREE(_name, _type, _free)
#define DEFINE_CLASS(_name, _type, _exit, _init, _init_args...)
#define EXTEND_CLASS(_name, ext, _init, _init_args...)
#define DEFINE_CLASS_IS_GUARD(_name)
#define DEFINE_CLASS_IS_COND_GUARD(_name)
#define DEFINE_CLASS_IS_UNCONDITIONAL(_name)
#define DEFINE_GUARD(_name, _type, _lock, _unlock)
#define DEFINE_GUARD_COND(X...)
#define DEFINE_LOCK_GUARD_0(_name, _lock, _unlock, ...)
#define DEFINE_LOCK_GUARD_1(_name, _type, _lock, _unlock, ...)
#define DEFINE_LOCK_GUARD_1_COND(X...)
#define DECLARE_LOCK_GUARD_0_ATTRS(_name, _lock, _unlock)
#define DECLARE_LOCK_GUARD_1_ATTRS(_name, _lock, _unlock)

/* include/linux/compiler-context-analysis.h (7.x) */
#define __guarded_by(x...)
#define __pt_guarded_by(x...)
#define __cond_acquires(ret, x...)
#define __cond_acquires_shared(ret, x...)
#define __acquires_shared(x...)
#define __releases_shared(x...)
#define __must_hold_shared(x...)
#define __no_context_analysis
#define __context_unsafe(comment)
