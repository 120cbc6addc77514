//! How much a command says on standard error: by default its notes
//! ("report written to ...") and a progress bar on a terminal; with `-q`
//! only errors; with `-v` also the time each long stage took.

use std::sync::atomic::{AtomicI8, Ordering};

static LEVEL: AtomicI8 = AtomicI8::new(0);

/// Sets the level from the command line's `-q` and `-v` (count).
pub fn set(quiet: bool, verbose: u8) {
    let level = if quiet { -1 } else { verbose.min(1) as i8 };
    LEVEL.store(level, Ordering::Relaxed);
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
