#include "CPayCryptSystem.h"

#include <errno.h>

#if defined(__linux__)
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

// struct sched_attr of the kernel's uapi (linux/sched/types.h), version 1 (56 bytes); glibc
// before 2.41 has neither the struct nor a wrapper.
struct paycrypt_sched_attr {
    uint32_t size;
    uint32_t sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime;
    uint64_t sched_deadline;
    uint64_t sched_period;
    uint32_t sched_util_min;
    uint32_t sched_util_max;
};

enum { paycrypt_sched_other = 0, paycrypt_sched_batch = 3 };

static int paycrypt_get_attr(struct paycrypt_sched_attr *attr) {
    memset(attr, 0, sizeof *attr);
    if (syscall(SYS_sched_getattr, 0, attr, (unsigned int)sizeof *attr, 0U) != 0) return errno;
    return 0;
}

int paycrypt_set_scheduler_slice(unsigned long long nanoseconds) {
    struct paycrypt_sched_attr attr;
    int error = paycrypt_get_attr(&attr);
    if (error != 0) return error;
    if (attr.sched_policy != paycrypt_sched_other && attr.sched_policy != paycrypt_sched_batch) return EPERM;
    attr.size = sizeof attr;
    attr.sched_flags = 0;
    attr.sched_runtime = nanoseconds;
    attr.sched_deadline = 0;
    attr.sched_period = 0;
    if (syscall(SYS_sched_setattr, 0, &attr, 0U) != 0) return errno;
    return 0;
}

long long paycrypt_scheduler_slice(void) {
    struct paycrypt_sched_attr attr;
    if (paycrypt_get_attr(&attr) != 0) return -1;
    return (long long)attr.sched_runtime;
}

#else

int paycrypt_set_scheduler_slice(unsigned long long nanoseconds) {
    (void)nanoseconds;
    return ENOSYS;
}

long long paycrypt_scheduler_slice(void) { return -1; }

#endif
