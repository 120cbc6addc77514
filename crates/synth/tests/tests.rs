//! Integration tests of cohort-synth: determinism and the model's pieces.

use cohort_synth::{category, family, study_toml, write_data, Stream, SynthLayout, VjiParams};

fn generate(threads: usize, layout: SynthLayout) -> Vec<u8> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let mut out = Vec::new();
        // More than one parallel chunk (2,048 families each).
        write_data(&VjiParams::default(), 7, 5000, layout, &mut out).unwrap();
        out
    })
}

#[test]
fn output_does_not_depend_on_the_number_of_threads() {
    assert_eq!(
        generate(1, SynthLayout::Long),
        generate(2, SynthLayout::Long)
    );
    assert_eq!(
        generate(1, SynthLayout::Wide),
        generate(3, SynthLayout::Wide)
    );
}

#[test]
fn a_family_is_the_same_whatever_is_generated_around_it() {
    let p = VjiParams::default();
    let a = family(&p, 42, 1234);
    let b = family(&p, 42, 1234);
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    assert_ne!(family(&p, 42, 1235).id, a.id);
    assert_ne!(family(&p, 43, 1234).id, a.id);
}

#[test]
fn ids_are_unique() {
    let p = VjiParams::default();
    let mut ids = std::collections::HashSet::new();
    for i in 0..20_000 {
        let f = family(&p, 1, i);
        assert!(ids.insert(f.id.clone()));
        for m in &f.members {
            assert!(ids.insert(m.id.clone()), "{}", m.id);
        }
    }
}

#[test]
fn response_categories_follow_the_cts_bands() {
    // 0 never, 1 once, 2 twice, 3 3-5, 4 6-10, 5 11-20, 6 more than 20.
    let got: Vec<i32> = [0, 1, 2, 3, 5, 6, 10, 11, 20, 21, 500]
        .iter()
        .map(|&c| category(c))
        .collect();
    assert_eq!(got, [0, 1, 2, 3, 3, 4, 4, 5, 5, 6, 6]);
}

#[test]
fn stream_draws_have_the_intended_means() {
    // Sample means of 200,000 draws, within 5 standard errors.
    let mut s = Stream::new(3, 0);
    let n = 200_000;
    let u: f64 = (0..n).map(|_| s.uniform()).sum::<f64>() / n as f64;
    assert!(
        (u - 0.5).abs() < 5.0 * (1.0 / 12.0f64).sqrt() / (n as f64).sqrt(),
        "{u}"
    );
    let z: Vec<f64> = (0..n).map(|_| s.normal()).collect();
    let mean = z.iter().sum::<f64>() / n as f64;
    let var = z.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    assert!(mean.abs() < 5.0 / (n as f64).sqrt(), "{mean}");
    assert!(
        (var - 1.0).abs() < 5.0 * (2.0f64).sqrt() / (n as f64).sqrt(),
        "{var}"
    );
    for lambda in [0.7, 12.0, 80.0] {
        let m: f64 = (0..n).map(|_| s.poisson(lambda) as f64).sum::<f64>() / n as f64;
        assert!(
            (m - lambda).abs() < 5.0 * (lambda / n as f64).sqrt(),
            "poisson({lambda}): {m}"
        );
    }
}

#[test]
fn study_file_parses_with_its_instruments() {
    // The generated study file is valid, its instruments too, and it
    // declares the measures the findings need.
    let text = study_toml(SynthLayout::Long, 1, 10);
    assert!(text.contains("cohort synth --preset vji --seed 1 --families 10"));
    let study = cohort_panel::Study::from_str_in(
        &text,
        std::path::Path::new("s.toml"),
        std::path::Path::new("."),
    )
    .unwrap();
    let spec = study.instruments.clone();
    let names: Vec<String> = spec
        .instruments
        .iter()
        .flat_map(cohort_instruments::instrument_measures)
        .map(|m| m.name)
        .chain(spec.derived.iter().map(|d| d.name.clone()))
        .collect();
    for needed in [
        "family_any_violence",
        "family_incidents",
        "family_severe_or_frequent",
        "trauma.total.clinical",
        "child_to_parent.prevalence",
    ] {
        assert!(names.iter().any(|n| n == needed), "{needed}");
    }
}
