//! Disclosure control, each pattern worked by hand.

use cohort_results::{
    protect, CountTable, Estimate, Gate, PublishedShare, Rules, Shown, Statistic, StoppedShare,
    Trajectories, Trajectory, TrajectoryClass, TrajectoryGroup, Unit,
};

/// The trajectories of `t` through a gate with min_cell 10.
fn publish_trajectories(t: &Trajectories) -> (Vec<Trajectory>, PublishedShare) {
    let (classes, share, _) = Gate::new(Rules {
        min_cell: 10,
        round_to: 1,
    })
    .trajectories(t);
    (classes, share)
}

fn table(counts: Vec<Vec<u64>>) -> CountTable {
    CountTable {
        title: "t".into(),
        rows: (1..=counts.len()).map(|i| format!("r{i}")).collect(),
        columns: ["A", "B", "C"]
            .iter()
            .take(counts[0].len())
            .map(|s| s.to_string())
            .collect(),
        counts,
        totals: true,
        structural: Vec::new(),
    }
}

fn shown(t: &cohort_results::ProtectedTable) -> Vec<Vec<String>> {
    t.cells
        .iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[test]
fn one_small_cell_takes_three_more_with_it() {
    //        A   B   C | total
    //  r1   25   4  30 |  59
    //  r2   12  15  20 |  47
    //  r3   40  50  60 | 150
    // r1.B = 4 < 10. Row r1 would give it away (59 - 25 - 30): the smaller
    // of 25 and 30 goes too (r1.A). Column B: the smaller of 15 and 50
    // (r2.B). Column A now has one suppressed cell (r1.A): the smaller of
    // 12 and 40 (r2.A). Every row and column then has two or none.
    let t = protect(
        &table(vec![vec![25, 4, 30], vec![12, 15, 20], vec![40, 50, 60]]),
        &Rules {
            min_cell: 10,
            round_to: 1,
        },
    );
    assert_eq!(
        shown(&t),
        [["x", "<10", "30"], ["x", "x", "20"], ["40", "50", "60"]]
    );
    let totals: Vec<String> = t
        .row_totals
        .iter()
        .chain(&t.column_totals)
        .map(|c| c.to_string())
        .collect();
    assert_eq!(totals, ["59", "47", "150", "77", "69", "110"]);
    assert_eq!(t.total, Some(Shown::Count { value: 256 }));
    assert_eq!(t.suppressions.len(), 4);
    assert!(t
        .suppressions
        .iter()
        .any(|s| s.row == "r1" && s.column == "B" && s.reason == "count below min_cell (10)"));
    assert_eq!(
        t.suppressions
            .iter()
            .filter(|s| s.reason.starts_with("secondary"))
            .count(),
        3
    );
}

#[test]
fn no_cell_below_min_cell_is_ever_shown() {
    // Any table: every shown count is at least min_cell.
    let counts = vec![vec![0, 9, 10, 11], vec![3, 100, 7, 40], vec![55, 2, 90, 12]];
    let t = protect(
        &CountTable {
            title: "t".into(),
            rows: vec!["a".into(), "b".into(), "c".into()],
            columns: (0..4).map(|i| i.to_string()).collect(),
            counts,
            totals: true,
            structural: Vec::new(),
        },
        &Rules {
            min_cell: 10,
            round_to: 1,
        },
    );
    let all = t
        .cells
        .iter()
        .flatten()
        .chain(&t.row_totals)
        .chain(&t.column_totals)
        .chain(t.total.as_ref());
    for c in all {
        if let Shown::Count { value } = c {
            assert!(*value >= 10, "{value} shown");
        }
    }
    // And no row or column with a shown total has exactly one hidden cell.
    for (r, row) in t.cells.iter().enumerate() {
        let hidden = row
            .iter()
            .filter(|c| !matches!(c, Shown::Count { .. }))
            .count();
        assert!(
            hidden != 1 || !matches!(t.row_totals[r], Shown::Count { .. }),
            "row {r}"
        );
    }
    for c in 0..4 {
        let hidden = t
            .cells
            .iter()
            .filter(|row| !matches!(row[c], Shown::Count { .. }))
            .count();
        assert!(
            hidden != 1 || !matches!(t.column_totals[c], Shown::Count { .. }),
            "column {c}"
        );
    }
}

#[test]
fn a_table_without_totals_gets_primary_suppression_only() {
    // Without totals, 4 cannot be recovered: only it is hidden.
    let mut t = table(vec![vec![25, 4, 30], vec![12, 15, 20]]);
    t.totals = false;
    let p = protect(
        &t,
        &Rules {
            min_cell: 10,
            round_to: 1,
        },
    );
    assert_eq!(shown(&p), [["25", "<10", "30"], ["12", "15", "20"]]);
    assert!(p.total.is_none() && p.row_totals.is_empty() && p.column_totals.is_empty());
    assert_eq!(p.suppressions.len(), 1);
}

#[test]
fn rounding_to_five() {
    // 12 -> 10, 23 -> 25, 37 -> 35, 48 -> 50; totals 35, 85 and 49 -> 50,
    // 71 -> 70; grand 120. Rounded independently: 10 + 25 = 35 here, but
    // 10 + 35 = 45 against a column total of 50.
    let t = protect(
        &table(vec![vec![12, 23], vec![37, 48]]),
        &Rules {
            min_cell: 10,
            round_to: 5,
        },
    );
    assert_eq!(shown(&t), [["10", "25"], ["35", "50"]]);
    let totals: Vec<String> = t
        .row_totals
        .iter()
        .chain(&t.column_totals)
        .map(|c| c.to_string())
        .collect();
    assert_eq!(totals, ["35", "85", "50", "70"]);
    assert_eq!(t.total.unwrap().to_string(), "120");
}

#[test]
fn shares_and_means_of_too_few_units_are_not_shown_nor_their_n() {
    let rules = Rules {
        min_cell: 10,
        round_to: 5,
    };
    let estimate = |n: u64| Estimate {
        measure: "m".into(),
        label: "m".into(),
        level: Unit::Family,
        statistic: Statistic::Share,
        wave: "T0".into(),
        group: None,
        n,
        value: Some(0.5),
        ci95: Some([0.4, 0.6]),
        quartiles: None,
        whiskers: None,
        top2_share: None,
    };
    let mut gate = Gate::new(rules);
    let rows = gate.estimates(
        "estimates",
        &[estimate(9), estimate(12), estimate(20), estimate(26)],
    );
    // 9 units: value, interval and n withheld together.
    assert_eq!((rows[0].value, rows[0].ci95, rows[0].n), (None, None, None));
    // 12 units at 0.5: 6 with and 6 without, counts below 10 that share x n
    // gives back: withheld too.
    assert_eq!((rows[1].value, rows[1].n), (None, None));
    // 20 units (10 with, 10 without) and 26 (13 and 13): published, n
    // rounded to a multiple of 5 (26 -> 25).
    assert_eq!((rows[2].value, rows[2].n), (Some(0.5), Some(20)));
    assert_eq!(rows[3].n, Some(25));
    let log = gate.finish();
    assert_eq!(log.len(), 2);
    // The log names the cell and the rule, never the value or the n.
    assert_eq!((log[0].row.as_str(), log[0].column.as_str()), ("m", "T0"));
    assert!(!log[0].reason.contains('9'), "{}", log[0].reason);
    assert!(
        log[1].reason.contains("implies a count"),
        "{}",
        log[1].reason
    );
}

#[test]
fn a_structural_zero_is_shown_and_never_taken_as_secondary() {
    //            T0  T1  T2
    // present    50  40  30
    // dropped     0*  4  12     (* nobody drops out at the first wave)
    // Without totals only the 4 is hidden; the structural 0 is shown.
    let t = protect(
        &CountTable {
            title: "attrition".into(),
            rows: vec!["present".into(), "dropped".into()],
            columns: vec!["T0".into(), "T1".into(), "T2".into()],
            counts: vec![vec![50, 40, 30], vec![0, 4, 12]],
            totals: false,
            structural: vec![[1, 0]],
        },
        &Rules {
            min_cell: 10,
            round_to: 1,
        },
    );
    assert_eq!(shown(&t), [["50", "40", "30"], ["0", "<10", "12"]]);
    // With totals, row "dropped" (16) has one hidden cell: the secondary
    // is the 12, not the structural 0 (hiding a known zero protects
    // nothing).
    let t = protect(
        &CountTable {
            title: "attrition".into(),
            rows: vec!["present".into(), "dropped".into()],
            columns: vec!["T0".into(), "T1".into(), "T2".into()],
            counts: vec![vec![50, 40, 30], vec![0, 4, 12]],
            totals: true,
            structural: vec![[1, 0]],
        },
        &Rules {
            min_cell: 10,
            round_to: 1,
        },
    );
    assert_eq!(shown(&t)[1], ["0", "<10", "x"]);
}

#[test]
fn no_hidden_trajectory_class_follows_from_the_stopped_base() {
    // Pairs by class: stopped 177, decreased 226, persistent 2, increased
    // 163, started 1, none 29 (the shipped fixture). The stopped share's
    // base (568 = 177 + 226 + 2 + 163) is published; with only the 2
    // hidden, 568 - 177 - 226 - 163 = 2 would give it away.
    let class = |class, n| TrajectoryGroup {
        class,
        n,
        waves: Vec::new(),
    };
    let results = |classes: Vec<TrajectoryGroup>| {
        let of = classes
            .iter()
            .filter(|c| c.class.violent_at_first())
            .map(|c| c.n)
            .sum();
        Trajectories {
            measure: "family_incidents".into(),
            stopped: StoppedShare {
                stopped: classes[0].n,
                of,
                share: Some(classes[0].n as f64 / of as f64),
                ci95: Some([0.2, 0.4]),
            },
            classes,
        }
    };
    use TrajectoryClass as T;
    let t = results(vec![
        class(T::Stopped, 177),
        class(T::Decreased, 226),
        class(T::Persistent, 2),
        class(T::Increased, 163),
        class(T::Started, 1),
        class(T::None, 29),
    ]);
    let published = publish_trajectories(&t);
    let n: Vec<Option<u64>> = published.0.iter().map(|c| c.n).collect();
    // The base is shown: then at least two classes of its row are hidden,
    // and the same for the row of families without violence at first.
    assert_eq!(published.1.n, Some(568));
    let hidden_first = n[..4].iter().filter(|v| v.is_none()).count();
    let hidden_none = n[4..].iter().filter(|v| v.is_none()).count();
    assert!(hidden_first >= 2 && hidden_none >= 2, "{n:?}");
    // The stopped class itself (177) stays published, and so its share.
    assert_eq!(n[0], Some(177));
    assert!(published.1.value.is_some());
}

#[test]
fn a_count_alone_is_rounded_or_shown_as_below_the_minimum() {
    let gate = Gate::new(Rules {
        min_cell: 10,
        round_to: 5,
    });
    assert_eq!(gate.count(9).to_string(), "<10");
    assert_eq!(gate.count(12), Shown::Count { value: 10 });
    assert_eq!(gate.count(13), Shown::Count { value: 15 });
}

mod properties {
    use cohort_results::{protect, CountTable, Rules, Shown};
    use proptest::prelude::*;

    fn hidden(c: &Shown) -> bool {
        !matches!(c, Shown::Count { .. })
    }

    proptest! {
        /// On any table: no shown count below min_cell, and no row, column
        /// or set of totals with a shown total hides exactly one cell.
        #[test]
        fn protection_holds_on_any_table(rows in 1usize..6, cols in 1usize..6, seed in proptest::collection::vec(0u64..60, 36)) {
            let counts: Vec<Vec<u64>> = (0..rows).map(|r| (0..cols).map(|c| seed[r * 6 + c]).collect()).collect();
            let t = protect(
                &CountTable { title: "p".into(), rows: (0..rows).map(|r| r.to_string()).collect(), columns: (0..cols).map(|c| c.to_string()).collect(), counts, totals: true, structural: Vec::new() },
                &Rules { min_cell: 10, round_to: 1 },
            );
            let all = t.cells.iter().flatten().chain(&t.row_totals).chain(&t.column_totals).chain(t.total.as_ref());
            for c in all {
                if let Shown::Count { value } = c {
                    // Zeros identify nobody and are shown.
                    prop_assert!(*value >= 10 || *value == 0);
                }
            }
            for (r, row) in t.cells.iter().enumerate() {
                prop_assert!(row.iter().filter(|c| hidden(c)).count() != 1 || hidden(&t.row_totals[r]));
            }
            for c in 0..cols {
                prop_assert!(t.cells.iter().filter(|row| hidden(&row[c])).count() != 1 || hidden(&t.column_totals[c]));
            }
            if t.total.as_ref().is_some_and(|c| !hidden(c)) {
                prop_assert!(t.row_totals.iter().filter(|c| hidden(c)).count() != 1);
                prop_assert!(t.column_totals.iter().filter(|c| hidden(c)).count() != 1);
            }
        }
    }
}

#[test]
fn a_mean_dominated_by_two_units_is_withheld() {
    // ACRO's (n = 2, k = 90%) rule: 20 families, the two largest hold 95%
    // of the incidents: withheld; 50%: published.
    let mean = |top2: f64| Estimate {
        measure: "incidents".into(),
        label: "incidents".into(),
        level: Unit::Family,
        statistic: Statistic::Mean,
        wave: "T0".into(),
        group: None,
        n: 20,
        value: Some(40.0),
        ci95: None,
        quartiles: None,
        whiskers: None,
        top2_share: Some(top2),
    };
    let mut gate = Gate::new(Rules {
        min_cell: 10,
        round_to: 1,
    });
    let rows = gate.estimates("estimates", &[mean(0.95), mean(0.5)]);
    assert_eq!((rows[0].value, rows[0].n), (None, None));
    assert_eq!((rows[1].value, rows[1].n), (Some(40.0), Some(20)));
    assert!(gate.finish()[0].reason.starts_with("dominance"));
}

#[test]
fn two_small_trajectory_classes_of_one_row_are_not_pinned_by_its_total() {
    // persistent 8 and increased 9 hidden, the base (420) shown: each would
    // lie in [8, 9]. The linked audit hides one more class of the row.
    use TrajectoryClass as T;
    let class = |class, n| TrajectoryGroup {
        class,
        n,
        waves: Vec::new(),
    };
    let classes = vec![
        class(T::Stopped, 177),
        class(T::Decreased, 226),
        class(T::Persistent, 8),
        class(T::Increased, 9),
        class(T::Started, 30),
        class(T::None, 29),
    ];
    let t = Trajectories {
        measure: "family_incidents".into(),
        stopped: StoppedShare {
            stopped: 177,
            of: 420,
            share: Some(177.0 / 420.0),
            ci95: Some([0.37, 0.47]),
        },
        classes,
    };
    let (published, _) = publish_trajectories(&t);
    let hidden = published[..4].iter().filter(|c| c.n.is_none()).count();
    assert!(
        hidden >= 3,
        "{:?}",
        published.iter().map(|c| c.n).collect::<Vec<_>>()
    );
}

#[test]
fn whiskers_need_ten_times_min_cell_units() {
    let rules = Rules {
        min_cell: 10,
        round_to: 1,
    };
    let estimate = |n: u64| Estimate {
        measure: "m".into(),
        label: "m".into(),
        level: Unit::Family,
        statistic: Statistic::Mean,
        wave: "T0".into(),
        group: None,
        n,
        value: Some(5.0),
        ci95: Some([4.0, 6.0]),
        quartiles: Some([2.0, 5.0, 8.0]),
        whiskers: Some([1.0, 9.0]),
        top2_share: Some(0.1),
    };
    let mut gate = Gate::new(rules);
    let rows = gate.estimates("estimates", &[estimate(99), estimate(100)]);
    // 99 units: fewer than 10 x min_cell, so the whiskers are withheld
    // (the rule is a round bound, not the order statistic); the
    // quartiles stay.
    assert_eq!(rows[0].whiskers, None);
    assert_eq!(rows[0].quartiles, Some([2.0, 5.0, 8.0]));
    // 100 units: order statistic 10.9, at least 10 units at or below.
    assert_eq!(rows[1].whiskers, Some([1.0, 9.0]));
}
