//! Change between waves on fixtures/small, worked by hand. Parents'
//! `partner.annual` (psy minor, phys severe; see fixtures/small/make.py and
//! crates/instruments/tests/small.rs) at T0 and T2 (T2 doubled):
//!
//! | parent | T0 | T2 | transition |
//! | P01a | 0 | 20 | started |
//! | P02a | 27 | 20 | decreased |
//! | P03a | 0 | 12 | started |
//! | P04a | 4 | 16 | increased |
//! | P05a | 25 | 8 | decreased |
//! | P06a | 2 | 38 | increased |
//! | P10a | 1 | 16 | increased |
//! | P12a | 8 | 18 | increased |
//!
//! P07a has no T0 frequency (psy "don't know"), only T2: one unit at `to`
//! only. P03b, P08a, P09a and P11a have T0 but no T2: four at `from` only.

use cohort_instruments::{score, Scores};
use cohort_panel::{load, Mode, Panel, Study, Wave};
use cohort_stats::{change_table, BootstrapSpec, ChangeOptions, ChangeSummary};
use cohort_testkit::fixture;

fn small() -> (Panel, Scores) {
    let study = Study::from_path(&fixture("small/study.toml")).unwrap();
    let panel = load(&study, Mode::Strict).unwrap().panel;
    let scores = score(&panel, &study.instruments);
    (panel, scores)
}

fn change(
    panel: &Panel,
    scores: &Scores,
    measure: &str,
    bootstrap: Option<BootstrapSpec>,
) -> ChangeSummary {
    let m = scores.measure(measure).unwrap();
    let opts = ChangeOptions {
        bootstrap,
        progress: &|_| {},
        reliability: Default::default(),
    };
    change_table(panel, scores, &[m], Wave(0), Wave(2), &opts).remove(0)
}

#[test]
fn pairs_means_transitions_and_counts_worked_by_hand() {
    let (panel, scores) = small();
    let c = change(&panel, &scores, "partner.annual", None);
    assert_eq!((c.n_pairs, c.n_from_only, c.n_to_only), (8, 4, 1));
    // Means: 67 / 8 and 148 / 8; difference 81 / 8.
    assert_eq!(c.mean_from, Some(67.0 / 8.0));
    assert_eq!(c.mean_to, Some(18.5));
    assert_eq!(c.mean_diff, Some(81.0 / 8.0));
    let t = &c.transitions;
    assert_eq!(
        (t.stopped, t.started, t.decreased, t.unchanged, t.increased),
        (0, 2, 2, 0, 4)
    );
    assert_eq!(t.shares["increased"], 0.5);
    // Signs: six increases, two decreases.
    assert_eq!((c.sign_test.n_pos, c.sign_test.n_neg), (6, 2));
    // Prevalence: 6 of 8 above zero at T0, 8 of 8 at T2; McNemar b = 0
    // (stopped), c = 2 (started): chi2 = 4 / 2 = 2, with correction
    // (2 - 1)^2 / 2 = 0.5; no odds ratio with b = 0.
    assert_eq!(c.prevalence.from, Some(0.75));
    assert_eq!(c.prevalence.to, Some(1.0));
    assert_eq!((c.mcnemar.b, c.mcnemar.c), (0, 2));
    assert_eq!((c.mcnemar.chi2, c.mcnemar.chi2_cc), (Some(2.0), Some(0.5)));
    assert_eq!(c.mcnemar.odds_ratio, None);
    assert!(c.mcnemar.note.as_deref().unwrap().contains("zero"));
    // 8 pairs in 8 families.
    assert_eq!(c.n_clusters, 8);
}

#[test]
fn classed_measure_has_its_full_transition_table() {
    let (panel, scores) = small();
    let c = change(&panel, &scores, "partner.severity", None);
    let table = c.transition_table.unwrap();
    assert_eq!(table.classes, ["none", "minor only", "severe"]);
    let total: u64 = table.counts.iter().flatten().sum();
    assert_eq!(total as usize, c.n_pairs);
}

#[test]
fn no_discordant_pairs_and_no_variance_give_notes_not_nan() {
    let (panel, scores) = small();
    // Nothing changes between T0 and T0: every test is degenerate.
    let m = scores.measure("partner.annual").unwrap();
    let opts = ChangeOptions {
        bootstrap: None,
        progress: &|_| {},
        reliability: Default::default(),
    };
    let c = change_table(&panel, &scores, &[m], Wave(0), Wave(0), &opts).remove(0);
    assert_eq!(c.paired_t.statistic, None);
    assert_eq!(
        c.paired_t.note.as_deref(),
        Some("the differences have no variance")
    );
    assert_eq!(c.wilcoxon.note.as_deref(), Some("every difference is zero"));
    assert_eq!(c.mcnemar.note.as_deref(), Some("no discordant pairs"));
    let json = serde_json::to_string(&c).unwrap();
    assert!(!json.contains("NaN") && !json.contains("inf"), "{json}");
}

#[test]
fn bootstrap_is_the_same_on_one_and_on_two_threads() {
    let (panel, scores) = small();
    let spec = BootstrapSpec {
        replicates: 500,
        seed: 99,
    };
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            serde_json::to_string(&change(&panel, &scores, "partner.annual", Some(spec))).unwrap()
        })
    };
    let one = run(1);
    assert_eq!(one, run(2));
    let c: serde_json::Value = serde_json::from_str(&one).unwrap();
    let ci = &c["bootstrap"]["mean_diff"];
    assert_eq!(ci["valid_replicates"], 500);
    // The percentile interval holds the estimate 10.125.
    let (lo, hi) = (
        ci["percentile"][0].as_f64().unwrap(),
        ci["percentile"][1].as_f64().unwrap(),
    );
    assert!(lo < 10.125 && 10.125 < hi, "{lo} {hi}");
    assert!(ci["bca"][0].is_number(), "{ci}");
}

#[test]
fn p_value_adjustments_match_r() {
    // R: p <- c(0.01, 0.04, 0.03, 0.005, NA, 0.5); p.adjust(p, "holm"),
    // p.adjust(p, "BH").
    let p = [
        Some(0.01),
        Some(0.04),
        Some(0.03),
        Some(0.005),
        None,
        Some(0.5),
    ];
    let close = |a: Vec<Option<f64>>, b: [Option<f64>; 6]| {
        a.iter().zip(b).all(|(x, y)| match (x, y) {
            (Some(x), Some(y)) => (x - y).abs() < 1e-15,
            (None, None) => true,
            _ => false,
        })
    };
    assert!(close(
        cohort_stats::holm(&p),
        [
            Some(0.04),
            Some(0.09),
            Some(0.09),
            Some(0.025),
            None,
            Some(0.5)
        ]
    ));
    assert!(close(
        cohort_stats::benjamini_hochberg(&p),
        [
            Some(0.025),
            Some(0.05),
            Some(0.05),
            Some(0.025),
            None,
            Some(0.5)
        ]
    ));
}
