//! Integration tests of cohort-instruments, by topic. Every expected score
//! is worked out by hand from fixtures/scoring/panel.csv in a comment.

mod derived;
mod frequency;
mod reliability;
mod scale;
mod small;
mod spec;

use cohort_instruments::{score, Scores};
use cohort_panel::{load, Mode, Panel, RespondentId, Study};
use cohort_testkit::fixture;

/// The scoring fixture, loaded and scored.
pub fn scored() -> (Panel, Scores) {
    let study = Study::from_path(&fixture("scoring/study.toml")).unwrap();
    let panel = load(&study, Mode::Strict).unwrap().panel;
    let spec = study.instruments.clone();
    let scores = score(&panel, &spec);
    (panel, scores)
}

/// The score of `measure` for respondent `rid` at wave `wave` (label).
pub fn value(panel: &Panel, scores: &Scores, measure: &str, rid: &str, wave: &str) -> Option<f64> {
    let w = panel.study().wave_index(wave).unwrap() as u8;
    let list = scores
        .of(measure)
        .unwrap_or_else(|| panic!("no measure {measure}"));
    let s = list
        .iter()
        .find(|s| panel.respondent_id(RespondentId(s.unit)) == rid && s.wave == w)
        .unwrap_or_else(|| panic!("no score of {measure} for {rid} at {wave}"));
    s.value
}
