//! The study file and the data files of a synthetic cohort.

use std::fmt::Write as _;
use std::io::Write;

use rayon::prelude::*;

use crate::model::{
    family, item_names, Family, Member, VjiParams, CHILD_ITEMS, CHILD_TO_PARENT_ITEMS,
    MUNICIPALITIES, NOT_APPLICABLE, PARTNER_ITEMS, REGIONS, TRAUMA_ITEMS, WAVES,
};

/// Long (one row per respondent and wave) or wide (one per respondent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SynthLayout {
    /// One row per respondent and wave.
    Long,
    /// One row per respondent, `{var}_{wave}` columns.
    Wide,
}

/// Raw-score clinical cut-offs of the trauma checklist: parent report for
/// children 3-7, self-report from 8 (children are 3-18 at T0, so up to 19
/// at T2; calibrated to F10).
pub const TRAUMA_CUTOFFS: [(i32, i32, i32); 2] = [(3, 7, 9), (8, 20, 9)];

/// Variables that do not change across waves, in column order.
const INVARIANT: [&str; 9] = [
    "sex",
    "municipality",
    "region",
    "poverty",
    "unemployment",
    "complex_divorce",
    "childhood_abuse",
    "alcohol",
    "psychiatric",
];

/// The study file of the VJI preset for the given layout.
pub fn study_toml(layout: SynthLayout, seed: u64, families: u64) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Synthetic, anonymised VJI-style cohort, made by\n#   cohort synth --preset vji --seed {seed} --families {families}{}\n# Random ids, ages in whole years, synthetic municipality codes: no real person.\n",
        if layout == SynthLayout::Wide { " --layout wide" } else { "" }
    );
    let _ = writeln!(s, "[study]\nname = \"vji-synthetic\"\ndescription = \"Synthetic cohort of families reported to Veilig Thuis, modelled on the VJI 2nd cohort (T0, T0 + 12 months, T0 + 18 months)\"\n");
    let _ = writeln!(s, "[data]");
    match layout {
        SynthLayout::Long => {
            let _ = writeln!(
                s,
                "path = \"panel.csv\"\nlayout = \"long\"\nwave = \"wave\""
            );
        }
        SynthLayout::Wide => {
            let _ = writeln!(
                s,
                "path = \"panel_wide.csv\"\nlayout = \"wide\"\npattern = \"{{var}}_{{wave}}\""
            );
        }
    }
    let _ = writeln!(
        s,
        "respondent = \"respondent_id\"\ncluster = \"family_id\"\nrole = \"role\"\nmissing = {{ -9 = \"refused\", -8 = \"don't know\", -7 = \"not applicable\" }}\n"
    );
    for (label, months, recall) in WAVES {
        let _ = writeln!(
            s,
            "[[waves]]\nlabel = \"{label}\"\nmonths = {months}\nrecall_months = {recall}\n"
        );
    }
    let cat = |s: &mut String, name: &str, label: &str, codes: &str, invariant: bool| {
        let _ = writeln!(
            s,
            "[[variables]]\nname = \"{name}\"\nlabel = \"{label}\"\ntype = \"categorical\"\ncodes = {{ {codes} }}{}\n",
            if invariant { "\ntime_invariant = true" } else { "" }
        );
    };
    let yes_no = "0 = \"no\", 1 = \"yes\"";
    cat(
        &mut s,
        "role",
        "Role in the family",
        "parent = \"Parent\", child = \"Child\"",
        false,
    );
    cat(&mut s, "sex", "Sex", "1 = \"female\", 2 = \"male\"", true);
    let _ = writeln!(s, "[[variables]]\nname = \"age\"\nlabel = \"Age in whole years at the wave\"\ntype = \"integer\"\nrange = [3, 99]\n");
    let municipalities: Vec<String> = (1..=MUNICIPALITIES)
        .map(|m| format!("M{m:03} = \"municipality {m}\""))
        .collect();
    cat(
        &mut s,
        "municipality",
        "Synthetic municipality code",
        &municipalities.join(", "),
        true,
    );
    let regions: Vec<String> = (1..=REGIONS)
        .map(|r| format!("R{r:02} = \"region {r}\""))
        .collect();
    cat(
        &mut s,
        "region",
        "Veilig Thuis region (synthetic)",
        &regions.join(", "),
        true,
    );
    cat(
        &mut s,
        "poverty",
        "Household income below the poverty line",
        yes_no,
        true,
    );
    cat(
        &mut s,
        "unemployment",
        "Unemployment in the household",
        yes_no,
        true,
    );
    cat(&mut s, "complex_divorce", "Complex divorce", yes_no, true);
    cat(
        &mut s,
        "childhood_abuse",
        "Parent experienced abuse as a child (parents)",
        yes_no,
        true,
    );
    cat(
        &mut s,
        "alcohol",
        "Problem drinking (parents)",
        yes_no,
        true,
    );
    cat(
        &mut s,
        "psychiatric",
        "Psychiatric problems (parents)",
        yes_no,
        true,
    );
    cat(
        &mut s,
        "informant",
        "Who answered the trauma checklist (children)",
        "parent = \"parent report (under 8)\", self = \"self-report (8 and over)\"",
        false,
    );
    for (list, what) in [
        (&PARTNER_ITEMS[..], "partner violence"),
        (&CHILD_ITEMS[..], "violence against the child"),
        (
            &CHILD_TO_PARENT_ITEMS[..],
            "child's violence toward a parent",
        ),
    ] {
        for (name, group, _) in list {
            let _ = writeln!(s, "[[variables]]\nname = \"{name}\"\nlabel = \"{what}: {group} (0-7 frequency category)\"\ntype = \"integer\"\nrange = [0, 7]\n");
        }
    }
    for t in 1..=TRAUMA_ITEMS {
        let _ = writeln!(s, "[[variables]]\nname = \"t{t:02}\"\nlabel = \"Trauma symptom {t} (0 never - 3 often)\"\ntype = \"integer\"\nrange = [0, 3]\n");
    }
    let groups = |s: &mut String, list: &[(&str, &str, f64)], severe: &[&str]| {
        let mut names: Vec<&str> = list.iter().map(|i| i.1).collect();
        names.dedup();
        for g in names {
            let items: Vec<String> = list
                .iter()
                .filter(|i| i.1 == g)
                .map(|i| format!("\"{}\"", i.0))
                .collect();
            let severity = if severe.contains(&g) {
                "severe"
            } else {
                "minor"
            };
            let _ = writeln!(
                s,
                "[[instruments.groups]]\nname = \"{g}\"\nseverity = \"{severity}\"\nitems = [{}]\n",
                items.join(", ")
            );
        }
    };
    let _ = writeln!(s, "[[instruments]]\nname = \"partner\"\nkind = \"incident_frequency\"\nlabel = \"Partner violence (CTS2 style), reported by each parent\"\nreporter = \"parent\"\nabout = \"partner\"\nmax_missing = 1\n");
    groups(
        &mut s,
        &PARTNER_ITEMS,
        &["physical_severe", "sexual", "injury"],
    );
    let _ = writeln!(s, "[[instruments]]\nname = \"child_abuse\"\nkind = \"incident_frequency\"\nlabel = \"Violence against the child (CTSPC style), a parent's report about the child\"\nreporter = \"child\"\nabout = \"child\"\nmax_missing = 1\n");
    groups(&mut s, &CHILD_ITEMS, &["physical_severe"]);
    let _ = writeln!(s, "[[instruments]]\nname = \"child_to_parent\"\nkind = \"incident_frequency\"\nlabel = \"The child's violence toward a parent (children 8 and over)\"\nreporter = \"child\"\nabout = \"parent\"\n");
    groups(&mut s, &CHILD_TO_PARENT_ITEMS, &["severe"]);
    let items: Vec<String> = (1..=TRAUMA_ITEMS).map(|t| format!("\"t{t:02}\"")).collect();
    let _ = writeln!(s, "[[instruments]]\nname = \"trauma\"\nkind = \"sum_scale\"\nlabel = \"Trauma symptom checklist (parent report under 8, self-report from 8)\"\nreporter = \"child\"\nitems = [{}]\nitem_range = [0, 3]\nmax_missing = 2\nage = \"age\"\n", items.join(", "));
    for (lo, hi, cut) in TRAUMA_CUTOFFS {
        let _ = writeln!(
            s,
            "[[instruments.cutoffs]]\nscale = \"total\"\nage = [{lo}, {hi}]\nclinical = {cut}\n"
        );
    }
    // Labels are what tables and legends show; what a measure counts is
    // said in the comment above it.
    let derived = [
        ("family_any_violence", "Any violence in the family (F1)", "partner violence and/or violence against a child", "any", "partner.prevalence", "max", "child_abuse.prevalence", "max"),
        ("family_both_violence", "Partner violence and violence against a child (F3)", "both kinds in the same family", "all", "partner.prevalence", "max", "child_abuse.prevalence", "max"),
        ("family_incidents", "Incidents per family per 12 months (F2)", "the larger parent report of partner violence plus the violence against each child", "sum", "partner.annual", "max", "child_abuse.annual", "sum"),
        ("family_severe_or_frequent", "Severe or frequent violence in the family (F5, F8)", "a severe act, or at least 22 incidents per 12 months, of partner violence or against a child", "any", "partner.severe_or_frequent", "max", "child_abuse.severe_or_frequent", "max"),
    ];
    for (name, label, what, rule, a, wa, b, wb) in derived {
        let _ = writeln!(s, "# {name}: {what}.\n[[derived]]\nname = \"{name}\"\nlabel = \"{label}\"\nlevel = \"family\"\nrule = \"{rule}\"\nterms = [\n  {{ measure = \"{a}\", within = \"{wa}\" }},\n  {{ measure = \"{b}\", within = \"{wb}\" }},\n]\n");
    }
    // The models the report fits (F9's and F12's model versions and two
    // more; docs/study-file.md).
    let models = [
        (
            "family incidents, mixed model",
            "family_incidents ~ factor(wave) + (1 | family_id)",
            "",
        ),
        (
            "family incidents, negative binomial",
            "family_incidents ~ factor(wave)",
            "family = \"negbin\"\ncluster_se = \"cr2\"\n",
        ),
        (
            "family incidents, Poisson mixed model",
            "family_incidents ~ factor(wave) + (1 | family_id)",
            "family = \"poisson\"\n",
        ),
        (
            "family incidents, negative binomial mixed model",
            "family_incidents ~ factor(wave) + (1 | family_id)",
            "family = \"negbin\"\n",
        ),
        (
            "severe or frequent violence, logistic mixed model",
            "family_severe_or_frequent ~ factor(wave) + (1 | family_id)",
            "family = \"binomial\"\n",
        ),
        (
            "violence in the family, GEE",
            "family_any_violence ~ factor(wave)",
            "method = \"gee\"\nfamily = \"binomial\"\ncorstr = \"exchangeable\"\n",
        ),
        (
            "trauma symptoms, children within families",
            "trauma.total ~ factor(wave) + sex + (1 | family_id/respondent_id)",
            "",
        ),
    ];
    for (name, formula, options) in models {
        let _ = writeln!(
            s,
            "[[models]]\nname = \"{name}\"\nformula = \"{formula}\"\n{options}"
        );
    }
    let _ = writeln!(s, "[disclosure]\nmin_cell = 10\nround_to = 1\n");
    s.push_str(&dutch_labels());
    s
}

/// The `[labels.nl]` table: a Dutch label for every variable, code,
/// instrument and derived measure of the VJI study file (the instruments'
/// own measures have Dutch labels built in).
fn dutch_labels() -> String {
    let mut l: Vec<(String, String)> = Vec::new();
    let mut add = |k: &str, v: &str| l.push((k.to_string(), v.to_string()));
    add(
        "description",
        "Synthetisch cohort van gezinnen gemeld bij Veilig Thuis, naar het model van het tweede \
         VJI-cohort (T0, T0 + 12 maanden, T0 + 18 maanden)",
    );
    add("role", "Rol in het gezin");
    add("role.parent", "Ouder");
    add("role.child", "Kind");
    add("sex", "Geslacht");
    add("sex.1", "vrouw");
    add("sex.2", "man");
    add("age", "Leeftijd in hele jaren bij de meting");
    add("municipality", "Synthetische gemeentecode");
    add("region", "Veilig Thuis-regio (synthetisch)");
    for (name, label) in [
        ("poverty", "Huishoudinkomen onder de armoedegrens"),
        ("unemployment", "Werkloosheid in het huishouden"),
        ("complex_divorce", "Complexe scheiding"),
        ("childhood_abuse", "Ouder is als kind mishandeld (ouders)"),
        ("alcohol", "Probleemdrinken (ouders)"),
        ("psychiatric", "Psychiatrische problemen (ouders)"),
    ] {
        add(name, label);
        add(&format!("{name}.0"), "nee");
        add(&format!("{name}.1"), "ja");
    }
    add("informant", "Wie de traumavragenlijst invulde (kinderen)");
    add("informant.parent", "ouderrapportage (onder 8)");
    add("informant.self", "zelfrapportage (8 en ouder)");
    for (list, what) in [
        (&PARTNER_ITEMS[..], "partnergeweld"),
        (&CHILD_ITEMS[..], "geweld tegen het kind"),
        (
            &CHILD_TO_PARENT_ITEMS[..],
            "geweld van het kind tegen een ouder",
        ),
    ] {
        for (name, group, _) in list {
            add(name, &format!("{what}: {group} (frequentiecategorie 0-7)"));
        }
    }
    for t in 1..=TRAUMA_ITEMS {
        add(
            &format!("t{t:02}"),
            &format!("Traumasymptoom {t} (0 nooit - 3 vaak)"),
        );
    }
    add(
        "partner",
        "Partnergeweld (naar de CTS2), gemeld door iedere ouder",
    );
    add(
        "child_abuse",
        "Geweld tegen het kind (naar de CTSPC), gemeld door een ouder over het kind",
    );
    add(
        "child_to_parent",
        "Geweld van het kind tegen een ouder (kinderen van 8 en ouder)",
    );
    add(
        "trauma",
        "Traumasymptomenlijst (ouderrapportage onder 8, zelfrapportage vanaf 8)",
    );
    add("family_any_violence", "Geweld in het gezin (F1)");
    add(
        "family_both_violence",
        "Partnergeweld en geweld tegen een kind (F3)",
    );
    add(
        "family_incidents",
        "Incidenten per gezin per 12 maanden (F2)",
    );
    add(
        "family_severe_or_frequent",
        "Ernstig of frequent geweld in het gezin (F5, F8)",
    );
    for (name, nl) in [
        (
            "family incidents, mixed model",
            "incidenten per gezin, gemengd model",
        ),
        (
            "family incidents, negative binomial",
            "incidenten per gezin, negatief-binomiaal",
        ),
        (
            "family incidents, Poisson mixed model",
            "incidenten per gezin, gemengd Poissonmodel",
        ),
        (
            "family incidents, negative binomial mixed model",
            "incidenten per gezin, gemengd negatief-binomiaal model",
        ),
        (
            "severe or frequent violence, logistic mixed model",
            "ernstig of frequent geweld, gemengd logistisch model",
        ),
        ("violence in the family, GEE", "geweld in het gezin, GEE"),
        (
            "trauma symptoms, children within families",
            "traumasymptomen, kinderen binnen gezinnen",
        ),
    ] {
        add(name, nl);
    }
    let mut s = String::from("[labels.nl]\n");
    for m in 1..=MUNICIPALITIES {
        l.push((format!("municipality.M{m:03}"), format!("gemeente {m}")));
    }
    for r in 1..=REGIONS {
        l.push((format!("region.R{r:02}"), format!("regio {r}")));
    }
    for (k, v) in l {
        let _ = writeln!(s, "\"{k}\" = \"{v}\"");
    }
    s
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "1"
    } else {
        "0"
    }
}

/// The time-invariant values of a member, in `INVARIANT` order.
fn invariant_values(f: &Family, m: &Member) -> [String; 9] {
    let parent_only = |b: bool| {
        if m.parent {
            yes_no(b).to_string()
        } else {
            NOT_APPLICABLE.to_string()
        }
    };
    [
        m.sex.to_string(),
        format!("M{:03}", f.municipality),
        format!("R{:02}", f.region),
        yes_no(f.poverty).to_string(),
        yes_no(f.unemployment).to_string(),
        yes_no(f.complex_divorce).to_string(),
        parent_only(m.childhood_abuse),
        parent_only(m.alcohol),
        parent_only(m.psychiatric),
    ]
}

/// Age and informant at wave `w`.
fn varying_values(m: &Member, w: usize) -> [String; 2] {
    let age = m.age + (WAVES[w].1 / 12) as i32;
    let informant = match (m.parent, age >= 8) {
        (true, _) => NOT_APPLICABLE.to_string(),
        (false, false) => "parent".to_string(),
        (false, true) => "self".to_string(),
    };
    [age.to_string(), informant]
}

fn header(layout: SynthLayout) -> String {
    let items = item_names();
    match layout {
        SynthLayout::Long => {
            let mut h = vec!["respondent_id", "family_id", "role", "wave"];
            h.extend(INVARIANT);
            h.extend(["age", "informant"]);
            let mut s = h.join(",");
            for i in &items {
                s.push(',');
                s.push_str(i);
            }
            s
        }
        SynthLayout::Wide => {
            let mut h: Vec<String> = ["respondent_id", "family_id", "role"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            h.extend(INVARIANT.iter().map(|s| s.to_string()));
            for (label, _, _) in WAVES {
                for v in ["age", "informant"]
                    .iter()
                    .map(|s| s.to_string())
                    .chain(items.iter().cloned())
                {
                    h.push(format!("{v}_{label}"));
                }
            }
            h.join(",")
        }
    }
}

fn render(f: &Family, layout: SynthLayout, out: &mut Vec<u8>) {
    for m in &f.members {
        let role = if m.parent { "parent" } else { "child" };
        let inv = invariant_values(f, m).join(",");
        match layout {
            SynthLayout::Long => {
                for (w, values) in m.waves.iter().enumerate() {
                    if let Some(values) = values {
                        let _ = write!(
                            out,
                            "{},{},{role},{},{inv},{}",
                            m.id,
                            f.id,
                            WAVES[w].0,
                            varying_values(m, w).join(",")
                        );
                        for v in values {
                            let _ = write!(out, ",{v}");
                        }
                        out.push(b'\n');
                    }
                }
            }
            SynthLayout::Wide => {
                if m.waves.iter().all(Option::is_none) {
                    continue;
                }
                let _ = write!(out, "{},{},{role},{inv}", m.id, f.id);
                for (w, values) in m.waves.iter().enumerate() {
                    match values {
                        Some(values) => {
                            let _ = write!(out, ",{}", varying_values(m, w).join(","));
                            for v in values {
                                let _ = write!(out, ",{v}");
                            }
                        }
                        None => {
                            for _ in 0..2 + item_names().len() {
                                out.push(b',');
                            }
                        }
                    }
                }
                out.push(b'\n');
            }
        }
    }
}

/// What was generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SynthCounts {
    /// Families.
    pub families: u64,
    /// Respondents.
    pub respondents: u64,
    /// Rows written.
    pub rows: u64,
}

/// Families generated and rendered per parallel task.
const CHUNK: u64 = 2048;

/// Writes the data of `families` families under `seed`. Families are
/// generated in parallel in chunks and written in order, each from its own
/// stream, so the bytes do not depend on the number of threads.
pub fn write_data<W: Write>(
    params: &VjiParams,
    seed: u64,
    families: u64,
    layout: SynthLayout,
    mut out: W,
) -> std::io::Result<SynthCounts> {
    writeln!(out, "{}", header(layout))?;
    let mut counts = SynthCounts::default();
    let chunks: Vec<u64> = (0..families.div_ceil(CHUNK)).collect();
    // A window of chunks at a time keeps memory bounded.
    for window in chunks.chunks(64) {
        let rendered: Vec<(Vec<u8>, SynthCounts)> = window
            .par_iter()
            .map(|&c| {
                let mut buf = Vec::new();
                let mut k = SynthCounts::default();
                for i in c * CHUNK..((c + 1) * CHUNK).min(families) {
                    let f = family(params, seed, i);
                    k.families += 1;
                    k.respondents += f.members.len() as u64;
                    k.rows += match layout {
                        SynthLayout::Long => f
                            .members
                            .iter()
                            .flat_map(|m| &m.waves)
                            .filter(|w| w.is_some())
                            .count() as u64,
                        SynthLayout::Wide => f.members.len() as u64,
                    };
                    render(&f, layout, &mut buf);
                }
                (buf, k)
            })
            .collect();
        for (buf, k) in rendered {
            out.write_all(&buf)?;
            counts.families += k.families;
            counts.respondents += k.respondents;
            counts.rows += k.rows;
        }
    }
    out.flush()?;
    Ok(counts)
}
