//! Presence across waves: the one definition of a response pattern's class
//! and of who returns or has dropped out at a wave.
//!
//! A presence mask has bit `w` set when the unit (a respondent or a
//! family) took part at wave `w` (the study's wave order). The response
//! patterns and the attrition table are counts of these definitions, and
//! the disclosure audit models both tables from the same functions.

/// The class of a response pattern; every unit is in exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternClass {
    /// Present at every wave.
    Complete,
    /// Present from the first wave without a gap, absent from some wave on.
    DroppedOut,
    /// First present after the first wave, without a gap after that.
    LateEntry,
    /// Absent at a wave between two waves at which present.
    Returned,
}

impl PatternClass {
    /// The class of `mask` (not 0) in a study of `n_waves` waves.
    pub fn of(mask: u64, n_waves: usize) -> PatternClass {
        let all = if n_waves >= 64 {
            u64::MAX
        } else {
            (1u64 << n_waves) - 1
        };
        let first = mask.trailing_zeros();
        // Contiguous: the set bits form one run.
        let run = mask >> first.min(63);
        let contiguous = run & run.wrapping_add(1) == 0;
        if mask == all {
            PatternClass::Complete
        } else if !contiguous {
            PatternClass::Returned
        } else if first == 0 {
            PatternClass::DroppedOut
        } else {
            PatternClass::LateEntry
        }
    }
}

/// Present at wave `w`.
pub fn present_at(mask: u64, w: usize) -> bool {
    w < 64 && mask & (1 << w) != 0
}

/// Present at wave `w`, absent at `w - 1` and present at some wave before:
/// returned at `w`.
pub fn returned_at(mask: u64, w: usize) -> bool {
    w > 0 && present_at(mask, w) && !present_at(mask, w - 1) && before(mask, w) != 0
}

/// Absent at wave `w` and at every later wave, present at some wave
/// before: dropped out by `w` (so counted at every wave from its first
/// absence on).
pub fn dropped_out_by(mask: u64, w: usize) -> bool {
    !present_at(mask, w) && before(mask, w) != 0 && (w >= 63 || mask >> (w + 1) == 0)
}

/// Absent at wave `w`, present at some wave before and at some wave
/// after: missed wave `w` and came back.
pub fn missed_at(mask: u64, w: usize) -> bool {
    !present_at(mask, w) && before(mask, w) != 0 && w < 63 && mask >> (w + 1) != 0
}

/// Absent at wave `w` and at every wave before: not yet in the study (a
/// late entry). At each wave a unit is present, missed the wave, dropped
/// out by it or not yet entered: exactly one of the four.
pub fn not_yet_entered(mask: u64, w: usize) -> bool {
    !present_at(mask, w) && before(mask, w) == 0
}

/// The waves before `w`.
fn before(mask: u64, w: usize) -> u64 {
    if w >= 64 {
        mask
    } else {
        mask & ((1u64 << w) - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_worked_by_hand() {
        use PatternClass::*;
        // Three waves; bit 0 = T0. XXX complete; XX. and X.. dropped out;
        // .XX and .X. late entry; X.X returned.
        let cases = [
            (0b111, Complete),
            (0b011, DroppedOut),
            (0b001, DroppedOut),
            (0b110, LateEntry),
            (0b010, LateEntry),
            (0b101, Returned),
        ];
        for (mask, class) in cases {
            assert_eq!(PatternClass::of(mask, 3), class, "{mask:03b}");
        }
        assert_eq!(PatternClass::of(u64::MAX, 64), Complete);
    }

    #[test]
    fn returned_and_dropped_out_worked_by_hand() {
        // X.X: returned at T2, never dropped out.
        assert!(returned_at(0b101, 2) && !returned_at(0b101, 1));
        assert!(!dropped_out_by(0b101, 1));
        // X..: dropped out by T1 and by T2.
        assert!(dropped_out_by(0b001, 1) && dropped_out_by(0b001, 2));
        // .X.: a late entry that left: dropped out by T2, not by T0.
        assert!(dropped_out_by(0b010, 2) && !dropped_out_by(0b010, 0));
        // Nobody returns or drops out at the first wave.
        assert!((0..8).all(|m| !returned_at(m, 0) && !dropped_out_by(m, 0)));
    }

    #[test]
    fn every_unit_is_in_one_state_at_each_wave() {
        // X.X missed T1; .X. has not entered at T0 and dropped out by T2.
        assert!(missed_at(0b101, 1) && !missed_at(0b101, 0) && !missed_at(0b101, 2));
        assert!(not_yet_entered(0b010, 0) && !not_yet_entered(0b010, 2));
        assert!(!missed_at(0b001, 1), "X.. dropped out, it did not miss T1");
        for mask in 1..16u64 {
            for w in 0..4 {
                let states = [
                    present_at(mask, w),
                    missed_at(mask, w),
                    dropped_out_by(mask, w),
                    not_yet_entered(mask, w),
                ];
                assert_eq!(
                    states.iter().filter(|&&s| s).count(),
                    1,
                    "{mask:04b} at {w}"
                );
            }
        }
    }
}
