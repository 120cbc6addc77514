//! Declarations that are wrong give every problem, with suggestions.

use cohort_panel::Study;
use cohort_testkit::fixture;

fn spec_error(from: &str, to: &str) -> String {
    let path = fixture("scoring/study.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replacen(from, to, 1);
    Study::from_str_in(&text, &path, path.parent().unwrap())
        .unwrap_err()
        .to_string()
}

#[test]
fn unknown_key_suggests_the_known_one() {
    let err = spec_error(
        "max_missing = 1\n\n[[instruments.groups]]",
        "max_mising = 1\n\n[[instruments.groups]]",
    );
    assert!(
        err.contains(
            "[[instruments]] partner: unknown key `max_mising`; did you mean `max_missing`?"
        ),
        "{err}"
    );
}

#[test]
fn unknown_item_and_term_are_named() {
    let err = spec_error("items = [\"pv3\"]", "items = [\"pv33\"]");
    assert!(
        err.contains("item pv33 is not a declared variable; did you mean pv3?"),
        "{err}"
    );
    let err = spec_error("measure = \"child.annual\"", "measure = \"child.anual\"");
    assert!(
        err.contains(
            "term `child.anual` is not a measure declared before it; did you mean `child.annual`?"
        ),
        "{err}"
    );
}

#[test]
fn family_term_from_respondents_needs_within() {
    let err = spec_error(
        "{ measure = \"partner.annual\", within = \"max\" }",
        "{ measure = \"partner.annual\" }",
    );
    assert!(
        err.contains("say how a family's respondents are combined with `within`"),
        "{err}"
    );
}

#[test]
fn bad_kind_and_rule() {
    let err = spec_error("kind = \"sum_scale\"", "kind = \"sum_scal\"");
    assert!(err.contains("kind \"sum_scal\" is not one of incident_frequency, sum_scale; did you mean \"sum_scale\"?"), "{err}");
    let err = spec_error("rule = \"sum\"", "rule = \"summ\"");
    assert!(
        err.contains(
            "rule \"summ\" is not one of any, all, sum, max, min, mean; did you mean \"sum\"?"
        ),
        "{err}"
    );
}

#[test]
fn item_range_beyond_the_response_codes_is_refused() {
    let err = spec_error(
        "name = \"cv2\"\nlabel = \"Child: kicked (severe)\"\ntype = \"integer\"\nrange = [0, 7]",
        "name = \"cv2\"\nlabel = \"Child: kicked (severe)\"\ntype = \"integer\"\nrange = [0, 9]",
    );
    assert!(
        err.contains("item cv2: its range [0, 9] has codes without a count: `counts` covers the codes 0-6 (and before_code 7)"),
        "{err}"
    );
    // `counts` shorter than the codes: an answer of 5 or 6 would count
    // nothing. Codes 0-4 counted, 7 is before_code, 5 and 6 are not.
    let err = spec_error(
        "name = \"child\"\nkind = \"incident_frequency\"",
        "name = \"child\"\nkind = \"incident_frequency\"\ncounts = [0, 1, 2, 4, 8]",
    );
    assert!(
        err.contains("item cv1: its range [0, 7] has codes without a count: `counts` covers the codes 0-4 (and before_code 7)"),
        "{err}"
    );
}
