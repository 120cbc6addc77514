//! How much a command says on standard error: by default its notes
//! ("report written to ...") and a progress bar on a terminal; with `-q`
//! only errors; with `-v` also the time each long stage took.

use std::sync::atomic::{AtomicI8, Ordering};

static LEVEL: AtomicI8 = AtomicI8::new(0);

/// Sets the level from the command line's `-q` and `-v` (count), or, when
/// neither is given, from `COHORT_LOG` as `RUST_LOG` levels read: `error`
/// or `warn` as `-q`, `info` the default, `debug` or `trace` as `-v`.
pub fn set(quiet: bool, verbose: u8) {
    let level = if quiet {
        -1
    } else if verbose > 0 {
        1
    } else {
        from_env(std::env::var("COHORT_LOG").ok().as_deref())
    };
    LEVEL.store(level, Ordering::Relaxed);
}

/// The level a `COHORT_LOG` value names (anything else: the default).
fn from_env(value: Option<&str>) -> i8 {
    match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        Some("error" | "warn" | "off") => -1,
        Some("debug" | "trace") => 1,
        _ => 0,
    }
}

/// `-q`: errors only.
pub fn quiet() -> bool {
    LEVEL.load(Ordering::Relaxed) < 0
}

/// `-v`: the time of each stage too.
pub fn verbose() -> bool {
    LEVEL.load(Ordering::Relaxed) > 0
}

/// `eprintln!` unless `-q`: for notes, not errors.
macro_rules! note {
    ($($arg:tt)*) => {
        if !$crate::verbosity::quiet() {
            eprintln!($($arg)*);
        }
    };
}
pub(crate) use note;

#[cfg(test)]
mod tests {
    use super::from_env;

    #[test]
    fn cohort_log_reads_as_rust_log_levels() {
        assert_eq!(from_env(Some("warn")), -1);
        assert_eq!(from_env(Some("DEBUG")), 1);
        assert_eq!(from_env(Some("info")), 0);
        assert_eq!(from_env(None), 0);
        assert_eq!(from_env(Some("loud")), 0);
    }
}
