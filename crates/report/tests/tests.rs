//! Integration tests of cohort-report.

use cohort_report::{escape, escape_markdown};

#[test]
fn labels_are_escaped_in_html_and_markdown() {
    let label = "vji <script>alert(1)</script> *a* [b](c) | #1\nnext";
    assert_eq!(
        escape("<a href='x'>&</a>"),
        "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;"
    );
    assert_eq!(
        escape_markdown(label),
        "vji &lt;script&gt;alert(1)&lt;/script&gt; \\*a\\* \\[b\\](c) \\| \\#1 next"
    );
}
