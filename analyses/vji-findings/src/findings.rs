//! F1-F13, one named function each, listed in [`FINDINGS`]. Each takes the
//! scored study ([`Ctx`]) and returns its [`Finding`] before the gate;
//! [`findings`] runs them all and passes each through the gate.

use std::collections::BTreeMap;

use cohort_instruments::Scores;
use cohort_panel::{Panel, RespondentId};
use cohort_results::{Gate, Rules};
use cohort_stats::{model_frame, paired_t, trajectories, BootstrapSpec, TRAJECTORY_MEASURE};

use crate::{
    by_cluster, clustered, family_share, mean, missing, share, values, variable_by_cluster, Finding,
};

/// What every finding reads: the scored study, its first and last wave,
/// the bootstrap and the gate.
pub struct Ctx<'a> {
    panel: &'a Panel,
    scores: &'a Scores,
    spec: &'a BootstrapSpec,
    gate: Gate,
    first: u8,
    last: u8,
    w0: String,
    wl: String,
}

impl Ctx<'_> {
    /// Values of a measure by (unit, wave), if the study declares it.
    fn measure(&self, name: &str) -> Option<BTreeMap<(u32, u8), f64>> {
        values(self.scores, name)
    }

    /// The values of a measure at wave `w`.
    fn at(v: &BTreeMap<(u32, u8), f64>, w: u8) -> Vec<f64> {
        v.iter()
            .filter(|((_, ww), _)| *ww == w)
            .map(|(_, x)| *x)
            .collect()
    }

    /// A share of families of a 0/1 family measure at wave `w`.
    fn family_share_at(&self, name: &str, w: u8, definition: String) -> Finding {
        match self.measure(name) {
            None => missing(&definition, name),
            Some(v) => family_share(&Self::at(&v, w), &definition),
        }
    }

    /// A share of children of a 0/1 respondent measure at the first wave,
    /// with a cluster-bootstrap interval.
    fn child_share(&self, name: &str, definition: String) -> Finding {
        match self.measure(name) {
            None => missing(&definition, name),
            Some(v) => clustered(
                self.panel,
                &by_cluster(self.panel, &v, self.first, |_| true),
                self.spec,
                &definition,
                share,
            ),
        }
    }
}

/// F1: families with partner violence and/or violence against a child.
pub fn f1(c: &mut Ctx) -> Finding {
    let def = format!("families with partner violence and/or violence against a child (family_any_violence = 1), {}", c.w0);
    c.family_share_at("family_any_violence", c.first, def)
}

/// F2: mean incidents per family per 12 months.
pub fn f2(c: &mut Ctx) -> Finding {
    let def = format!(
        "mean incidents per family per 12 months (family_incidents), {}",
        c.w0
    );
    match c.measure("family_incidents") {
        None => missing(&def, "family_incidents"),
        Some(v) => {
            let x = Ctx::at(&v, c.first);
            let d = cohort_stats::describe(&x);
            Finding {
                value: d.mean,
                ci95: d.mean_ci95_t,
                n: x.len(),
                p_value: None,
                definition: def,
                method: "mean of families; t 95% interval".into(),
                note: d.note,
                versions: BTreeMap::new(),
            }
        }
    }
}

/// F3: families with both partner violence and violence against a child.
pub fn f3(c: &mut Ctx) -> Finding {
    let def = format!("families with both partner violence and violence against a child (family_both_violence = 1), {}", c.w0);
    c.family_share_at("family_both_violence", c.first, def)
}

/// F4a: children who experienced direct violence.
pub fn f4a(c: &mut Ctx) -> Finding {
    let def = format!(
        "children who experienced direct violence (child_abuse.prevalence = 1), {}",
        c.w0
    );
    c.child_share("child_abuse.prevalence", def)
}

/// F4b: incidents against a child per year, children with direct violence.
pub fn f4b(c: &mut Ctx) -> Finding {
    let def = format!("mean incidents against a child per 12 months (child_abuse.annual), children with direct violence, {}", c.w0);
    match (
        c.measure("child_abuse.prevalence"),
        c.measure("child_abuse.annual"),
    ) {
        (Some(p), Some(a)) => {
            let first = c.first;
            let hit = |u: u32| p.get(&(u, first)) == Some(&1.0);
            clustered(
                c.panel,
                &by_cluster(c.panel, &a, first, hit),
                c.spec,
                &def,
                mean,
            )
        }
        _ => missing(&def, "child_abuse.prevalence and child_abuse.annual"),
    }
}

/// F5: families with severe or frequent violence at the first wave.
pub fn f5(c: &mut Ctx) -> Finding {
    let def = format!(
        "families with severe or frequent violence (family_severe_or_frequent = 1), {}",
        c.w0
    );
    c.family_share_at("family_severe_or_frequent", c.first, def)
}

/// F6: families in poverty.
pub fn f6(c: &mut Ctx) -> Finding {
    let def = "families in poverty (poverty = 1)".to_string();
    match variable_by_cluster(c.panel, "poverty", true) {
        None => missing(&def, "a 0/1 variable poverty"),
        Some(v) => family_share(&v.concat(), &def),
    }
}

/// F7: families in which the violence stopped: the report's stopped share,
/// from the same function ([`trajectories`]) through the same gate.
pub fn f7(c: &mut Ctx) -> Finding {
    let def = format!("families in which the violence stopped: {TRAJECTORY_MEASURE} above 0 at {} and 0 at {}, of the families above 0 at {} with a value at {} (the report's stopped share)", c.w0, c.wl, c.w0, c.wl);
    let waves = c.panel.study().wave_labels();
    match trajectories(c.scores, &waves) {
        None => missing(&def, TRAJECTORY_MEASURE),
        Some(t) => {
            // Null where the trajectory table hides the stopped count or
            // its base.
            let (_, published, _) = c.gate.trajectories(&t);
            Finding {
                value: published.value,
                ci95: published.ci95,
                n: t.stopped.of as usize,
                p_value: None,
                note: match (t.stopped.share, published.value) {
                    (None, _) => Some("no family with violence at the first wave".into()),
                    (Some(_), None) => Some(
                        "suppressed: a count of the trajectories it comes from is suppressed"
                            .into(),
                    ),
                    _ => None,
                },
                definition: def,
                method: "share of families; Wilson 95% interval".into(),
                versions: BTreeMap::new(),
            }
        }
    }
}

/// F8: families still with severe or frequent violence at the last wave.
pub fn f8(c: &mut Ctx) -> Finding {
    let def = format!(
        "families still with severe or frequent violence (family_severe_or_frequent = 1), {}",
        c.wl
    );
    c.family_share_at("family_severe_or_frequent", c.last, def)
}

/// F9: the change in mean family incidents, first to last wave.
pub fn f9(c: &mut Ctx) -> Finding {
    let (w0, wl) = (&c.w0, &c.wl);
    let def = format!("change in mean incidents per family (F2) from {w0} to {wl}, families with both: mean of {wl} - {w0}, paired t-test");
    let Some(v) = c.measure("family_incidents") else {
        return missing(&def, "family_incidents");
    };
    let (first, last) = (c.first, c.last);
    let d: Vec<f64> = v
        .iter()
        .filter(|((_, w), _)| *w == first)
        .filter_map(|((u, _), a)| v.get(&(*u, last)).map(|b| b - a))
        .collect();
    let mut paired = match paired_t(&d) {
        Ok(t) => Finding {
            value: Some(t.mean_diff),
            ci95: Some(t.ci95),
            n: d.len(),
            p_value: Some(t.p_value),
            definition: def,
            method: "paired t-test, two-sided; t 95% interval of the mean change".into(),
            note: None,
            versions: BTreeMap::new(),
        },
        Err(e) => Finding {
            value: None,
            ci95: None,
            n: d.len(),
            p_value: None,
            definition: def,
            method: "paired t-test".into(),
            note: Some(e.to_string()),
            versions: BTreeMap::new(),
        },
    };
    paired.versions.insert("lmm".into(), f9_mixed_model(c));
    paired.versions.insert(
        "glmm".into(),
        f9_ratio(
            c,
            "glmm",
            "family_incidents",
            cohort_models::GlmmFamily::NegBin,
        ),
    );
    paired.versions.insert(
        "glmm_prevalence".into(),
        f9_ratio(
            c,
            "glmm_prevalence",
            "family_severe_or_frequent",
            cohort_models::GlmmFamily::Binomial,
        ),
    );
    paired
}

/// The design of `formula` on the scored study.
fn model_design(c: &Ctx, formula: &str) -> Result<cohort_models::Design, String> {
    let f = cohort_models::parse(formula).map_err(|e| e.to_string())?;
    let (frame, _) = model_frame(c.panel, c.scores, &f).map_err(|e| e.to_string())?;
    cohort_models::design(&f, &frame).map_err(|e| e.to_string())
}

/// F9 as a ratio from a GLMM on every family: `measure ~ factor(wave) + (1
/// | <cluster>)`, Laplace; exp of the last wave's coefficient against the
/// first, a rate ratio of the incidents (negative binomial, NB2) or an
/// odds ratio of a 0/1 measure (logistic), with its Wald interval.
fn f9_ratio(
    c: &mut Ctx,
    version: &str,
    measure: &str,
    family: cohort_models::GlmmFamily,
) -> Finding {
    let cluster = c.panel.study().data.cluster_column();
    let formula = format!("{measure} ~ factor(wave) + (1 | {cluster})");
    let term = format!("factor(wave){}", c.wl);
    let (ratio, model) = match family {
        cohort_models::GlmmFamily::Binomial => ("odds ratio", "logistic mixed model"),
        cohort_models::GlmmFamily::Poisson => ("rate ratio", "Poisson mixed model"),
        cohort_models::GlmmFamily::NegBin => (
            "rate ratio",
            "negative binomial (NB2) mixed model, theta estimated with it as glmmTMB's nbinom2",
        ),
    };
    let def = format!(
        "{ratio} of {measure} at {} against {}, every family with a value at any wave: exp of the coefficient {term} of {formula}",
        c.wl, c.w0
    );
    let method = format!(
        "{model} (Laplace approximation), random family intercept; Wald 95% interval (normal) of the coefficient, exponentiated"
    );
    if c.scores.measure(measure).is_none() {
        return missing(&def, measure);
    }
    let fit = model_design(c, &formula).and_then(|d| {
        let fit = cohort_models::fit_glmm(&d, family, 1).map_err(|e| e.to_string())?;
        if !fit.converged {
            return Err("the model did not converge on these data".into());
        }
        Ok(Coefficients::new(
            d.names,
            &fit.beta,
            fit.se(),
            &fit.ngroups,
            fit.nobs,
            fit.df_loglik,
            fit.singular,
        ))
    });
    wald_version(c, version, &term, fit, f64::exp, def, method)
}

/// What a model version of F9 reads from a fit.
struct Coefficients {
    names: Vec<String>,
    beta: Vec<f64>,
    se: Vec<f64>,
    /// The families (the random term's levels).
    families: u64,
    df_residual: u64,
    singular: bool,
}

impl Coefficients {
    /// From a mixed model's fit: its first grouping's levels are the
    /// families, the residual df the observations less the parameters.
    fn new(
        names: Vec<String>,
        beta: &[f64],
        se: Vec<f64>,
        ngroups: &[(String, usize)],
        nobs: usize,
        df_loglik: usize,
        singular: bool,
    ) -> Coefficients {
        Coefficients {
            names,
            beta: beta.to_vec(),
            se,
            families: ngroups.first().map_or(0, |(_, n)| *n as u64),
            df_residual: (nobs as u64).saturating_sub(df_loglik as u64),
            singular,
        }
    }
}

/// A model version of F9: the coefficient `term` of `fit` through the gate
/// (its families and residual df), with its Wald 95% interval and
/// p-value; `transform` maps the estimate and the bounds (`exp` for a
/// ratio).
fn wald_version(
    c: &mut Ctx,
    version: &str,
    term: &str,
    fit: Result<Coefficients, String>,
    transform: fn(f64) -> f64,
    definition: String,
    method: String,
) -> Finding {
    let failed = |note: String| unpublished(&definition, &method, note);
    let fit = match fit {
        Ok(x) => x,
        Err(e) => return failed(e),
    };
    let Some(j) = fit.names.iter().position(|n| n == term) else {
        return failed(format!("no term {term} in the model"));
    };
    let (est, se) = (fit.beta[j], fit.se[j]);
    if !se.is_finite() {
        return failed("the coefficient has no standard error".into());
    }
    if !c
        .gate
        .allows_model("findings", "F9", version, fit.families, fit.df_residual)
    {
        return failed("suppressed: too few families or residual degrees of freedom".into());
    }
    let z = cohort_stats::dist::normal_quantile(0.975);
    Finding {
        value: Some(transform(est)),
        ci95: Some([transform(est - z * se), transform(est + z * se)]),
        n: fit.families as usize,
        p_value: Some(cohort_stats::dist::normal_two_sided(est / se)),
        definition,
        method,
        note: fit
            .singular
            .then(|| "the family variance is estimated as 0".into()),
        versions: BTreeMap::new(),
    }
}

/// A model version that could not be computed or published: no value,
/// with why.
fn unpublished(definition: &str, method: &str, note: String) -> Finding {
    Finding {
        value: None,
        ci95: None,
        n: 0,
        p_value: None,
        definition: definition.to_string(),
        method: method.to_string(),
        note: Some(note),
        versions: BTreeMap::new(),
    }
}

/// F9 from a linear mixed model on every family, not only those with both
/// waves: `family_incidents ~ factor(wave) + (1 | <cluster>)`, REML; the
/// coefficient of the last wave against the first.
fn f9_mixed_model(c: &mut Ctx) -> Finding {
    let cluster = c.panel.study().data.cluster_column();
    let formula = format!("family_incidents ~ factor(wave) + (1 | {cluster})");
    let term = format!("factor(wave){}", c.wl);
    let def = format!(
        "change in mean incidents per family (F2) from {} to {}, every family with a value at any wave: the coefficient {term} of {formula}",
        c.w0, c.wl
    );
    let method =
        "linear mixed model (REML), random family intercept; Wald 95% interval (normal), as lme4"
            .to_string();
    if c.scores.measure("family_incidents").is_none() {
        return missing(&def, "family_incidents");
    }
    let fit = model_design(c, &formula).and_then(|d| {
        let fit = cohort_models::fit_lmm(&d, cohort_models::Criterion::Reml)
            .map_err(|e| e.to_string())?;
        Ok(Coefficients::new(
            d.names,
            &fit.beta,
            fit.se(),
            &fit.ngroups,
            fit.nobs,
            fit.df_loglik,
            fit.singular,
        ))
    });
    wald_version(c, "lmm", &term, fit, |v| v, def, method)
}

/// F10: children with trauma symptoms in the clinical range.
pub fn f10(c: &mut Ctx) -> Finding {
    let def = format!(
        "children with trauma symptoms in the clinical range (trauma.total.clinical = 1), {}",
        c.w0
    );
    c.child_share("trauma.total.clinical", def)
}

/// F11: parents who experienced abuse as a child.
pub fn f11(c: &mut Ctx) -> Finding {
    let def = "parents who experienced abuse as a child (childhood_abuse = 1)".to_string();
    match variable_by_cluster(c.panel, "childhood_abuse", false) {
        None => missing(&def, "a 0/1 variable childhood_abuse"),
        Some(v) => clustered(c.panel, &v, c.spec, &def, share),
    }
}

/// F12: odds ratio of a child's violence toward a parent, by experienced
/// abuse.
pub fn f12(c: &mut Ctx) -> Finding {
    let def = format!("odds ratio of a child's violence toward a parent (child_to_parent.prevalence) for children with against without direct violence (child_abuse.prevalence), {}", c.w0);
    let (Some(p), Some(own)) = (
        c.measure("child_abuse.prevalence"),
        c.measure("child_to_parent.prevalence"),
    ) else {
        return missing(
            &def,
            "child_abuse.prevalence and child_to_parent.prevalence",
        );
    };
    // Per cluster, the pairs (experienced, own violence) coded 2a + b.
    let first = c.first;
    let mut cells = vec![Vec::new(); c.panel.n_clusters()];
    for (&(u, w), &o) in &own {
        if let (true, Some(&exp)) = (w == first, p.get(&(u, first))) {
            cells[c.panel.cluster_of(RespondentId(u)).0 as usize].push(2.0 * exp + o);
        }
    }
    fn odds_ratio(x: &[f64]) -> Option<f64> {
        let n = |k: f64| x.iter().filter(|v| **v == k).count() as f64;
        let (a, b, c, d) = (n(3.0), n(2.0), n(1.0), n(0.0));
        (b > 0.0 && c > 0.0 && d > 0.0).then(|| a * d / (b * c))
    }
    let mut finding = clustered(c.panel, &cells, c.spec, &def, odds_ratio);
    finding.versions.insert("gee".into(), f12_gee(c));
    finding
}

/// F12 from a logistic GEE on the children at the first wave, families as
/// clusters (exchangeable), adjusted for the child's age and sex: the odds
/// ratio of child_abuse.prevalence with its robust Wald interval.
fn f12_gee(c: &mut Ctx) -> Finding {
    let formula = "child_to_parent.prevalence ~ child_abuse.prevalence + age + sex";
    let def = format!(
        "odds ratio of a child's violence toward a parent for children with against without direct violence, adjusted for age and sex, {}: exp of the coefficient of child_abuse.prevalence in {formula}",
        c.w0
    );
    let method = "GEE, binomial (logit), exchangeable working correlation within families; robust (sandwich) Wald 95% interval, exponentiated".to_string();
    let failed = |note: String| unpublished(&def, &method, note);
    let first = c.first;
    let fit = cohort_models::parse(formula)
        .map_err(|e| e.to_string())
        .and_then(|f| {
            let (frame, rows) = model_frame(c.panel, c.scores, &f).map_err(|e| e.to_string())?;
            let keep: Vec<usize> = (0..rows.wave.len())
                .filter(|&i| rows.wave[i] == first)
                .collect();
            let d = cohort_models::design(&f, &frame.subset(&keep)).map_err(|e| e.to_string())?;
            let options = cohort_models::GeeOptions {
                family: cohort_models::Family::Binomial,
                corstr: cohort_models::CorStr::Exchangeable,
                cluster: d.rows.iter().map(|&i| rows.cluster[keep[i]]).collect(),
                wave: vec![0; d.rows.len()],
                tolerance: 1e-10,
                max_iterations: 100,
            };
            let fit = cohort_models::fit_gee(&d, &options).map_err(|e| e.to_string())?;
            Ok((d, fit))
        });
    let (d, fit) = match fit {
        Ok(x) => x,
        Err(e) => return failed(e),
    };
    let Some(j) = d.names.iter().position(|n| n == "child_abuse.prevalence") else {
        return failed("no term child_abuse.prevalence in the model".into());
    };
    let families = fit.cluster_sizes.len() as u64;
    let df_residual = (fit.nobs as u64).saturating_sub(d.p() as u64);
    if !c
        .gate
        .allows_model("findings", "F12", "gee", families, df_residual)
    {
        return failed("suppressed: too few families or residual degrees of freedom".into());
    }
    let p = d.p();
    let (est, se) = (fit.beta[j], fit.vcov_robust[j * p + j].sqrt());
    let z = cohort_stats::dist::normal_quantile(0.975);
    Finding {
        value: Some(est.exp()),
        ci95: Some([(est - z * se).exp(), (est + z * se).exp()]),
        n: fit.nobs,
        p_value: Some(cohort_stats::dist::chi2_1_upper((est / se).powi(2))),
        definition: def,
        method,
        note: (!fit.converged).then(|| "the GEE did not converge".into()),
        versions: BTreeMap::new(),
    }
}

/// F13: retention: families taking part at every wave, of those at the
/// first.
pub fn f13(c: &mut Ctx) -> Finding {
    let def = format!(
        "families taking part at every wave, of the families at {}",
        c.w0
    );
    let all_waves = (1u64 << c.panel.study().waves.len()) - 1;
    let x: Vec<f64> = c
        .panel
        .cluster_waves()
        .iter()
        .filter(|m| **m & 1 == 1)
        .map(|m| if *m == all_waves { 1.0 } else { 0.0 })
        .collect();
    family_share(&x, &def)
}

/// A finding's function.
pub type FindingFn = fn(&mut Ctx) -> Finding;

/// Every finding by ID, in the order of `shared/findings.md`.
pub const FINDINGS: [(&str, FindingFn); 14] = [
    ("F1", f1),
    ("F2", f2),
    ("F3", f3),
    ("F4a", f4a),
    ("F4b", f4b),
    ("F5", f5),
    ("F6", f6),
    ("F7", f7),
    ("F8", f8),
    ("F9", f9),
    ("F10", f10),
    ("F11", f11),
    ("F12", f12),
    ("F13", f13),
];

/// Every finding, by ID, after the disclosure gate: a value based on too
/// few units is null with a note, and so is its n.
pub fn findings(panel: &Panel, scores: &Scores, spec: &BootstrapSpec) -> BTreeMap<String, Finding> {
    let waves = &panel.study().waves;
    let last = (waves.len() - 1) as u8;
    let mut c = Ctx {
        panel,
        scores,
        spec,
        gate: Gate::new(Rules::from(&panel.study().disclosure)),
        first: 0,
        last,
        w0: waves[0].label.clone(),
        wl: waves[last as usize].label.clone(),
    };
    let raw: Vec<(&str, Finding)> = FINDINGS.iter().map(|(id, f)| (*id, f(&mut c))).collect();
    raw.into_iter()
        .map(|(id, finding)| (id.to_string(), gated(&mut c.gate, id, "value", finding)))
        .collect()
}

/// A finding and its versions through the gate: values on too few units
/// withheld with their n, every n rounded.
fn gated(gate: &mut Gate, id: &str, column: &str, mut finding: Finding) -> Finding {
    let shown = gate.allows("findings", id, column, finding.n as u64);
    if !shown {
        if finding.value.is_some() {
            finding.note = Some("suppressed: based on too few units".into());
        }
        finding.value = None;
        finding.ci95 = None;
        finding.p_value = None;
    }
    finding.n = gate.n(finding.n as u64, shown).unwrap_or(0) as usize;
    finding.versions = std::mem::take(&mut finding.versions)
        .into_iter()
        .map(|(name, v)| {
            let v = gated(gate, id, &name, v);
            (name, v)
        })
        .collect();
    finding
}
