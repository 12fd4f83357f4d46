//! The system log (journald or syslog), where konekte writes what no terminal shows: a
//! checkpoint of the journal, a system login that could not be recorded.

/// Whether a system log listens here: `syslog(3)` drops a line silently otherwise.
pub fn listening() -> bool {
    std::path::Path::new(SYSTEM_LOG).exists()
}

/// Where the C library sends the system log (glibc's `_PATH_LOG`): journald's or
/// syslog's socket.
pub const SYSTEM_LOG: &str = "/dev/log";

/// Sends `line` to the system log as konekte's, with this `facility` and `priority`
/// (`libc::LOG_AUTH`, `libc::LOG_NOTICE`…). A NUL in it ends it there.
pub fn send(facility: libc::c_int, priority: libc::c_int, line: &str) {
    let line = line.split('\0').next().unwrap_or_default();
    let Ok(line) = std::ffi::CString::new(line) else {
        return;
    };
    // SAFETY: both strings are NUL-terminated and outlive the calls; "%s" takes one
    // string argument, given.
    unsafe {
        libc::openlog(c"konekte".as_ptr(), libc::LOG_PID, facility);
        libc::syslog(priority, c"%s".as_ptr(), line.as_ptr());
        libc::closelog();
    }
}
