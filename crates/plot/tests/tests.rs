//! Figures render to SVG and PNG with what a reader needs on them.

use cohort_plot::{ForestFigure, ForestRow, Lang, WaveFigure, WavePoint, WaveSeries};

pub fn prevalence(lang: Lang) -> WaveFigure {
    let point = |wave: &str, e: f64, lo: f64, hi: f64, n: u64| WavePoint {
        wave: wave.into(),
        estimate: Some(e),
        ci95: Some([lo, hi]),
        n: Some(n),
    };
    WaveFigure {
        title: "Families with violence".into(),
        y_label: "share of families".into(),
        shares: true,
        log_y: false,
        series: vec![
            WaveSeries {
                label: "any violence".into(),
                panel: String::new(),
                points: vec![
                    point("T0", 0.934, 0.918, 0.948, 1097),
                    point("T1", 0.71, 0.68, 0.74, 727),
                    point("T2", 0.62, 0.58, 0.66, 621),
                ],
            },
            WaveSeries {
                label: "severe or frequent".into(),
                panel: String::new(),
                points: vec![
                    point("T0", 0.848, 0.826, 0.868, 1095),
                    WavePoint {
                        wave: "T1".into(),
                        estimate: None,
                        ci95: None,
                        n: Some(4),
                    },
                    point("T2", 0.555, 0.516, 0.594, 618),
                ],
            },
        ],
        caption: "Source: fixtures/vji (synthetic). cohort 0.1.0. Bars: 95% CI.".into(),
        lang,
    }
}

#[test]
fn wave_figure_svg_has_title_n_per_wave_and_caption() {
    let svg = prevalence(Lang::En).svg().unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..60]);
    // The two series differ in n: n goes with each legend label.
    for text in [
        "Families with violence",
        "any violence",
        "n = 1097, 727, 621",
        "severe or frequent",
        "n = 1095, 4, 618",
        "Source: fixtures/vji (synthetic)",
        "80%",
    ] {
        assert!(svg.contains(text), "missing {text}");
    }
}

#[test]
fn equal_n_goes_on_the_axis() {
    let one = WaveFigure {
        series: vec![prevalence(Lang::En).series[0].clone()],
        ..prevalence(Lang::En)
    };
    let svg = one.svg().unwrap();
    assert!(svg.contains("T0 (n = 1097)") && svg.contains("T2 (n = 621)"));
}

#[test]
fn log_axis_for_skewed_counts() {
    let point = |w: &str, e: f64, n: u64| WavePoint {
        wave: w.into(),
        estimate: Some(e),
        ci95: Some([e / 2.0, e * 2.0]),
        n: Some(n),
    };
    let f = WaveFigure {
        shares: false,
        log_y: true,
        series: vec![WaveSeries {
            label: "incidents".into(),
            panel: String::new(),
            points: vec![
                point("T0", 150.0, 10),
                point("T1", 3.0, 10),
                point("T2", 0.0, 10),
            ],
        }],
        ..prevalence(Lang::En)
    };
    let svg = f.svg().unwrap();
    // Ticks at powers of ten only, and the zero (at 0.1, the decade
    // below the smallest positive value 1.5) labelled "0".
    // (The SVG backend puts each label on a line of its own.)
    let labels: Vec<&str> = svg.lines().map(str::trim).collect();
    for tick in ["0", "1", "10", "100"] {
        assert!(labels.contains(&tick), "log tick {tick}");
    }
    for not in ["3.2", "32", "0.1", "1.0"] {
        assert!(!labels.contains(&not), "tick {not} is no power of ten");
    }
}

#[test]
fn dutch_labels_use_a_decimal_comma() {
    let mut f = prevalence(Lang::Nl);
    f.shares = false;
    f.series[0].points[0].estimate = Some(1.5);
    let svg = f.svg().unwrap();
    assert!(svg.contains("meting"));
    assert_eq!(Lang::Nl.number(0.25, 2), "0,25");
    assert_eq!(Lang::En.number(-0.001, 2), "0.00");
    assert_eq!(Lang::En.number(-0.006, 2), "-0.01");
}

#[test]
fn png_at_300_dpi_with_the_embedded_font() {
    let path = std::env::temp_dir().join(format!("cohort-plot-{}.png", std::process::id()));
    prevalence(Lang::En).png(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    // Width and height (big-endian, in the IHDR chunk): 6.5 x 4 in at 300 dpi.
    let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((w, h), (1950, 1200));
    if std::env::var_os("COHORT_KEEP_PNG").is_none() {
        std::fs::remove_file(&path).ok();
    }
}

#[test]
fn forest_plot_and_empty_figures() {
    let f = ForestFigure {
        title: "Change T0 to T2 (Cohen's d_z)".into(),
        x_label: "d_z".into(),
        reference: 0.0,
        rows: vec![
            ForestRow {
                label: "partner.prevalence".into(),
                estimate: Some(-0.59),
                ci95: Some([-0.67, -0.51]),
                header: false,
            },
            ForestRow {
                label: "child_abuse.prevalence".into(),
                estimate: Some(-0.53),
                ci95: Some([-0.59, -0.46]),
                header: false,
            },
            ForestRow {
                label: "trauma.total".into(),
                estimate: None,
                ci95: None,
                header: false,
            },
        ],
        caption: "Source: fixtures/vji (synthetic).".into(),
        lang: Lang::En,
    };
    let svg = f.svg().unwrap();
    assert!(svg.contains("partner.prevalence") && svg.contains("d_z"));
    // The row without an estimate says it is not shown.
    assert!(svg.contains("not shown"));
    // A figure without series says so in its frame (the report completes).
    let empty = WaveFigure {
        series: vec![],
        ..prevalence(Lang::En)
    };
    assert!(empty.svg().unwrap().contains(cohort_plot::NOTHING_TO_SHOW));
}

#[test]
fn a_figure_with_every_value_suppressed_is_a_frame_with_a_note() {
    let f = WaveFigure {
        series: vec![WaveSeries {
            label: "families".into(),
            panel: String::new(),
            points: vec![WavePoint {
                wave: "T0".into(),
                estimate: None,
                ci95: None,
                n: None,
            }],
        }],
        ..prevalence(Lang::En)
    };
    let svg = f.svg().unwrap();
    assert!(svg.contains(cohort_plot::NOTHING_TO_SHOW), "{svg}");
    assert!(svg.contains(&f.title));
}

#[test]
fn a_suppressed_segment_is_drawn_hatched_and_labelled_not_as_a_gap() {
    use cohort_plot::{Bar, BarFigure};
    let f = BarFigure {
        title: "Families by class".into(),
        x_label: "class at T0".into(),
        y_label: "share".into(),
        shares: true,
        segment_labels: vec!["none".into(), "minor".into()],
        bars: vec![Bar {
            label: "none".into(),
            n: Some(40),
            segments: vec![Some(0.75), None],
            total: Some(1.0),
        }],
        caption: "Source: test.".into(),
        lang: Lang::En,
    };
    let svg = f.svg().unwrap();
    assert!(svg.contains("suppressed (too few)"), "{svg}");
    // The hatched block is outlined in the suppressed grey.
    assert!(svg.contains("#969696"), "{svg}");
}
