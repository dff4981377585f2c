//! CPU time of the bench process, for the CPU-per-request rows (`{pattern}_cpu_us`).
//!
//! Server and client share the process, so this is what one request costs both ends
//! together. A pattern's row is the difference around it divided by its requests:
//!
//! ```ignore
//! let cpu = crate::cpu::process_cpu_time();
//! // … the pattern …
//! let cpu = crate::cpu::process_cpu_time().saturating_sub(cpu);
//! Row { name: format!("{name}_cpu_us"), value: cpu.as_secs_f64() * 1e6 / requests as f64, unit: "us", params: params() }
//! ```
//!
//! `cargo xtask bench net --compare btlightning` reads these rows for its CPU columns;
//! the peer bench (benches/btlightning-peer) has a copy of this function.

use std::time::Duration;

/// CPU time (user + system, all threads) this process has used so far, from
/// `getrusage(RUSAGE_SELF)` (microsecond resolution); zero where there is no `getrusage`.
pub(crate) fn process_cpu_time() -> Duration {
    #[cfg(unix)]
    {
        // SAFETY: `getrusage` only writes the `rusage` it is given, which is plain
        // data (all zeroes is a valid value).
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
            return Duration::ZERO;
        }
        let time = |t: libc::timeval| Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64);
        time(usage.ru_utime) + time(usage.ru_stime)
    }
    #[cfg(not(unix))]
    Duration::ZERO
}

#[cfg(test)]
mod tests {
    use super::process_cpu_time;

    #[test]
    fn grows_with_work() {
        let before = process_cpu_time();
        let t = std::time::Instant::now();
        let mut x = 0u64;
        while t.elapsed() < std::time::Duration::from_millis(50) {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
        }
        let spent = process_cpu_time().saturating_sub(before);
        // 50 ms of busy wall time on this thread; allow for scheduling on a shared machine.
        assert!(spent >= std::time::Duration::from_millis(10), "{spent:?}");
    }
}
