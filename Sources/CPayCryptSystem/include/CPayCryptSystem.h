#ifndef C_PAYCRYPT_SYSTEM_H
#define C_PAYCRYPT_SYSTEM_H

/// Asks the Linux scheduler (EEVDF, Linux 6.12 and later) to give the calling thread slices of
/// `nanoseconds` of CPU time: sched_setattr(2) with the thread's own policy and nice value and
/// `sched_runtime` set, as the kernel's Documentation/scheduler/sched-eevdf.rst describes. Only a
/// thread under SCHED_OTHER or SCHED_BATCH is changed; the kernel clamps the value to 0.1..100 ms,
/// and 0 returns the thread to the default slice.
/// Returns 0, or an errno value: ENOSYS off Linux, EPERM for another policy.
int paycrypt_set_scheduler_slice(unsigned long long nanoseconds);

/// The calling thread's slice in nanoseconds as the kernel reports it (the default slice unless
/// one was asked for; 0 before Linux 6.12), or -1 when it cannot be read.
long long paycrypt_scheduler_slice(void);

#endif
