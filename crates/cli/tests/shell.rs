//! Completion scripts, manual pages, and what `-q` and `-v` leave on
//! stderr.

use crate::{assert_ok, cohort};

#[test]
fn completion_scripts_name_the_commands_and_their_options() {
    // Each shell's own syntax for the script and for a long option.
    let shells = [
        ("bash", "complete -F", "--bootstrap"),
        ("zsh", "#compdef cohort", "--bootstrap"),
        ("fish", "complete -c cohort", "-l bootstrap"),
    ];
    for (shell, marker, option) in shells {
        let out = cohort(&["completions", shell]);
        assert_ok(&out);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(marker), "{shell}: {text:.300}");
        for word in ["report", "describe", option] {
            assert!(text.contains(word), "{shell} completion lacks {word}");
        }
    }
    let bad = cohort(&["completions", "cmd.exe"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn manual_pages_for_cohort_and_each_command() {
    let out = cohort(&["man"]);
    assert_ok(&out);
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        page.starts_with(".ie") || page.contains(".TH cohort"),
        "{page:.200}"
    );
    assert!(page.contains("report"));
    let dir = std::env::temp_dir().join(format!("cohort-man-{}", std::process::id()));
    let out = cohort(&["man", "--out", dir.to_str().unwrap()]);
    assert_ok(&out);
    let report = std::fs::read_to_string(dir.join("cohort-report.1")).unwrap();
    assert!(report.contains(".TH cohort-report"), "{report:.200}");
    assert!(report.contains("bootstrap"));
    assert!(dir.join("cohort.1").exists() && dir.join("cohort-describe.1").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn quiet_leaves_only_errors_and_verbose_adds_the_stage_times() {
    let dir = std::env::temp_dir().join(format!("cohort-quiet-{}", std::process::id()));
    let out_dir = dir.to_str().unwrap();
    let args = [
        "report",
        "fixtures/vji/study.toml",
        "--out",
        out_dir,
        "--bootstrap",
        "50",
    ];
    let quiet = cohort(&[&args[..], &["-q"]].concat());
    assert_ok(&quiet);
    assert_eq!(String::from_utf8_lossy(&quiet.stderr), "");
    let verbose = cohort(&[&args[..], &["-v"]].concat());
    assert_ok(&verbose);
    let err = String::from_utf8_lossy(&verbose.stderr);
    for stage in [
        "loading (MiB): ",
        "scoring: ",
        "bootstrap: estimates: ",
        "bootstrap: changes: ",
        "declared models: ",
    ] {
        assert!(err.contains(stage), "{err}");
    }
    assert!(err.contains("report written to"), "{err}");
    // Errors are still said under -q.
    let bad = cohort(&["check", "fixtures/vji/missing.toml", "-q"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(!bad.stderr.is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}
