//! The VJI-style generative model: one family at a time, from its own
//! random stream.
//!
//! A family has a latent risk `z ~ N(0, 1)`. Household risk factors are
//! probit functions of `z` (so they cluster within families); the kind of
//! violence (partner, against the children, both, none) is drawn from its
//! published shares; the yearly rate of each kind of violence is lognormal
//! and rises with `z`; each Conflict-Tactics item's count in a wave's
//! recall period is Poisson around the rate times the item's share,
//! written as a response category. Violence follows one of four
//! trajectories (stops, decreases, persists, increases) that are less
//! favourable at higher risk; attrition between waves rises with risk.
//! Every parameter is documented with the target it serves in
//! `fixtures/vji/README.md`.

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use statrs::distribution::{ContinuousCDF, Normal};

/// Parameters of the VJI preset. The defaults are the calibrated values;
/// each field says which published figure it serves.
#[derive(Debug, Clone, PartialEq)]
pub struct VjiParams {
    /// Share of families with a second participating parent (1,200 parents
    /// per 1,100 families).
    pub second_parent: f64,
    /// Shares of families with 1, 2 and 3 participating children (1,550
    /// children per 1,100 families).
    pub children: [f64; 3],
    /// Mean of the exponential part of a child's age above 3 (children 3-18,
    /// mean age about 7).
    pub child_age_mean_above_3: f64,
    /// Share of first parents who are mothers (360 mothers, 101 fathers).
    pub mother_first: f64,
    /// Loading of risk factors on the latent family risk.
    pub risk_loading: f64,
    /// Poverty (F6: 47%).
    pub poverty: f64,
    /// Unemployment (Augeo: 47%).
    pub unemployment: f64,
    /// Complex divorce (assumed 25%).
    pub complex_divorce: f64,
    /// A parent abused as a child (F11: 44%).
    pub childhood_abuse: f64,
    /// Problem drinking of fathers and mothers (more than 40%, 30%).
    pub alcohol: [f64; 2],
    /// Psychiatric problems of a parent (assumed 30%).
    pub psychiatric: f64,
    /// Kind of violence at T0: both, partner only, children only, none
    /// (F3 57% both; F1 92% any; partner violence 80%).
    pub kind: [f64; 4],
    /// Chance that a further child in a family with violence against
    /// children experiences it too (F4a: 69% of children).
    pub further_child_hit: f64,
    /// Lognormal partner-violence rate per year: log-mean, log-sd, and the
    /// rise per unit of latent risk (F2: 71 incidents per family a year;
    /// F5: 81% severe or frequent).
    pub partner_rate: [f64; 3],
    /// Lognormal rate of violence against a child per year (F4b: 12).
    pub child_rate: [f64; 3],
    /// Reporter noise (log-sd) and how much more mothers report than
    /// fathers (VJI: women report more and more severe violence).
    pub report_noise: f64,
    /// Reporting factor of mothers and fathers.
    pub report_by_sex: [f64; 2],
    /// Chance that an item not done in the period was done before (code 7)
    /// at T0, in a family with that kind of violence.
    pub before_t0: f64,
    /// Trajectory shares: stops, decreases, persists, increases (F7: about
    /// 3 in 10 stopped at T2; F8: more than half still severe or frequent).
    pub trajectory: [f64; 4],
    /// How much higher risk moves a family towards worse trajectories.
    pub trajectory_risk: f64,
    /// Rate multipliers at T1 and T2 for each trajectory.
    pub trajectory_rate: [[f64; 2]; 4],
    /// Family response: log-odds of taking part at T1, of T2 after T1, of
    /// T2 after missing T1, the fall per unit of risk, and the rise per
    /// further participating child (F13: 576 of about 1,100 families
    /// complete, with 633 parents and 978 children).
    pub response: [f64; 5],
    /// Chance a member of a responding family takes part at a wave.
    pub member_response: f64,
    /// Item non-response: chance of refused and of don't know.
    pub item_missing: [f64; 2],
    /// Trauma: intercept, effect of violence against the child, of partner
    /// violence, of latent risk, and the recovery when violence stops
    /// (F10: about 4 in 10 children in the clinical range at T0).
    pub trauma: [f64; 5],
    /// Child's violence toward a parent (children 8+): log-odds intercept
    /// and the effect of experienced violence (F12: positive relation).
    pub child_to_parent: [f64; 2],
}

impl Default for VjiParams {
    fn default() -> Self {
        VjiParams {
            second_parent: 0.09,
            children: [0.66, 0.27, 0.07],
            child_age_mean_above_3: 4.6,
            mother_first: 0.78,
            risk_loading: 0.8,
            poverty: 0.47,
            unemployment: 0.47,
            complex_divorce: 0.25,
            childhood_abuse: 0.44,
            alcohol: [0.40, 0.30],
            psychiatric: 0.30,
            kind: [0.59, 0.21, 0.13, 0.07],
            further_child_hit: 0.95,
            partner_rate: [3.8, 1.6, 0.3],
            child_rate: [2.0, 0.9, 0.2],
            report_noise: 0.3,
            report_by_sex: [1.1, 0.9],
            before_t0: 0.35,
            trajectory: [0.27, 0.36, 0.27, 0.10],
            trajectory_risk: 0.4,
            trajectory_rate: [[0.3, 0.0], [0.65, 0.55], [1.0, 0.95], [1.3, 1.5]],
            response: [0.15, 0.7, -1.7, 0.35, 1.8],
            member_response: 0.97,
            item_missing: [0.012, 0.008],
            trauma: [-0.9, 0.8, 0.5, 0.3, 0.5],
            child_to_parent: [-1.8, 1.2],
        }
    }
}

/// Waves of the VJI 2nd cohort: label, months since T0, recall months.
pub const WAVES: [(&str, u32, u32); 3] = [("T0", 0, 12), ("T1", 12, 12), ("T2", 18, 6)];

/// Partner-violence items (CTS2 style): name, group, share of incidents.
pub const PARTNER_ITEMS: [(&str, &str, f64); 10] = [
    ("p01", "psychological", 0.29),
    ("p02", "psychological", 0.24),
    ("p03", "physical_minor", 0.12),
    ("p04", "physical_minor", 0.10),
    ("p05", "physical_minor", 0.10),
    ("p06", "physical_severe", 0.04),
    ("p07", "physical_severe", 0.03),
    ("p08", "physical_severe", 0.03),
    ("p09", "sexual", 0.025),
    ("p10", "injury", 0.025),
];

/// Items of violence against a child (CTSPC style, the parent's report
/// about this child).
pub const CHILD_ITEMS: [(&str, &str, f64); 8] = [
    ("c01", "psychological", 0.30),
    ("c02", "psychological", 0.20),
    ("c03", "corporal", 0.15),
    ("c04", "corporal", 0.12),
    ("c05", "physical_severe", 0.05),
    ("c06", "physical_severe", 0.03),
    ("c07", "neglect", 0.08),
    ("c08", "neglect", 0.07),
];

/// Items of a child's violence toward a parent (children 8 and over).
pub const CHILD_TO_PARENT_ITEMS: [(&str, &str, f64); 2] =
    [("k01", "minor", 0.7), ("k02", "severe", 0.3)];

/// Number of trauma-symptom items (scored 0-3).
pub const TRAUMA_ITEMS: usize = 10;

/// Municipalities and the regions they are grouped in.
pub const MUNICIPALITIES: u32 = 100;
/// Veilig Thuis regions of the cohort.
pub const REGIONS: u32 = 13;

/// Missing codes.
pub const REFUSED: i32 = -9;
/// Missing code: don't know.
pub const DONT_KNOW: i32 = -8;
/// Missing code: not applicable (a parent's item on a child's row).
pub const NOT_APPLICABLE: i32 = -7;

/// A random stream with the few draws the model needs, written out here so
/// that the output depends only on ChaCha8, not on a distribution library.
pub struct Stream(ChaCha8Rng);

impl Stream {
    /// The stream of family `index` under `seed`: ChaCha8 seeded with the
    /// seed, on stream number `index`.
    pub fn new(seed: u64, index: u64) -> Stream {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(index);
        Stream(rng)
    }

    /// Uniform on [0, 1), 53 bits.
    pub fn uniform(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// `true` with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Standard normal (Box-Muller, one value a call).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Exponential with the given mean.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.uniform()).ln()
    }

    /// Poisson: Knuth's product method below 30, a rounded normal
    /// approximation above (counts that large all fall in the top
    /// response category).
    pub fn poisson(&mut self, lambda: f64) -> u64 {
        if lambda <= 0.0 {
            return 0;
        }
        if lambda < 30.0 {
            let limit = (-lambda).exp();
            let mut k = 0;
            let mut p = self.uniform();
            while p > limit {
                k += 1;
                p *= self.uniform();
            }
            k
        } else {
            (lambda + lambda.sqrt() * self.normal()).round().max(0.0) as u64
        }
    }

    /// An index drawn with the given shares (which sum to 1).
    pub fn pick(&mut self, shares: &[f64]) -> usize {
        let u = self.uniform();
        let mut acc = 0.0;
        for (i, s) in shares.iter().enumerate() {
            acc += s;
            if u < acc {
                return i;
            }
        }
        shares.len() - 1
    }

    /// A 64-bit value (for ids).
    pub fn bits(&mut self) -> u64 {
        self.0.next_u64()
    }
}

/// The response category of a count of acts (0 never ... 6 more than 20).
pub fn category(count: u64) -> i32 {
    match count {
        0 => 0,
        1 => 1,
        2 => 2,
        3..=5 => 3,
        6..=10 => 4,
        11..=20 => 5,
        _ => 6,
    }
}

/// Standard normal quantile (for probit thresholds).
pub fn probit(p: f64) -> f64 {
    Normal::new(0.0, 1.0).map_or(0.0, |n| n.inverse_cdf(p))
}

/// Logistic function.
pub fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// A binary risk factor with marginal share `p`, loading `b` on the latent
/// risk `z`: 1{a + b z + e > 0}, e ~ N(0, 1), a = probit(p) sqrt(1 + b^2).
pub fn risk_factor(s: &mut Stream, p: f64, b: f64, z: f64) -> bool {
    let a = probit(p) * (1.0 + b * b).sqrt();
    a + b * z + s.normal() > 0.0
}

/// One respondent of a generated family.
#[derive(Debug, Clone)]
pub struct Member {
    /// Anonymous id.
    pub id: String,
    /// Parent or child.
    pub parent: bool,
    /// 1 female, 2 male.
    pub sex: i32,
    /// Age at T0.
    pub age: i32,
    /// Parent only: abused as a child, problem drinking, psychiatric.
    pub childhood_abuse: bool,
    /// Problem drinking (parents).
    pub alcohol: bool,
    /// Psychiatric problems (parents).
    pub psychiatric: bool,
    /// Per wave: present, and the item values (codes), in column order.
    pub waves: [Option<Vec<i32>>; 3],
}

/// A generated family with its members.
#[derive(Debug, Clone)]
pub struct Family {
    /// Anonymous id.
    pub id: String,
    /// Synthetic municipality code (1-100).
    pub municipality: u32,
    /// Region (1-13), from the municipality.
    pub region: u32,
    /// Household risk factors.
    pub poverty: bool,
    /// Unemployment in the household.
    pub unemployment: bool,
    /// A complex divorce.
    pub complex_divorce: bool,
    /// The members.
    pub members: Vec<Member>,
}

/// The item columns of a row, in order: partner items, child items,
/// child-to-parent items, trauma items.
pub fn item_names() -> Vec<String> {
    PARTNER_ITEMS
        .iter()
        .map(|i| i.0.to_string())
        .chain(CHILD_ITEMS.iter().map(|i| i.0.to_string()))
        .chain(CHILD_TO_PARENT_ITEMS.iter().map(|i| i.0.to_string()))
        .chain((1..=TRAUMA_ITEMS).map(|i| format!("t{i:02}")))
        .collect()
}

/// Bijective 64-bit mix (SplitMix64's finaliser): distinct inputs give
/// distinct ids.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Generates family `index` under `seed`.
pub fn family(p: &VjiParams, seed: u64, index: u64) -> Family {
    let mut s = Stream::new(seed, index);
    let key = mix(seed ^ 0x5EED_5EED_5EED_5EED);
    let id = |n: u64| format!("{:016x}", mix(key ^ n));
    let z = s.normal();
    let municipality = 1 + (s.bits() % u64::from(MUNICIPALITIES)) as u32;
    let region = 1 + (municipality - 1) * REGIONS / MUNICIPALITIES;
    let b = p.risk_loading;
    let poverty = risk_factor(&mut s, p.poverty, b, z);
    let unemployment = risk_factor(&mut s, p.unemployment, b, z);
    let complex_divorce = risk_factor(&mut s, p.complex_divorce, b, z);

    // Kind of violence at T0; rates; trajectory.
    let kind = s.pick(&p.kind);
    let partner_violence = kind == 0 || kind == 1;
    let child_violence = kind == 0 || kind == 2;
    let rate = |s: &mut Stream, r: [f64; 3]| (r[0] + r[1] * s.normal() + r[2] * z).exp();
    let partner_rate = if partner_violence {
        rate(&mut s, p.partner_rate)
    } else {
        0.0
    };
    // Ordered probit over trajectories: higher risk, worse trajectory.
    let v = p.trajectory_risk * z + s.normal();
    let scale = (1.0 + p.trajectory_risk * p.trajectory_risk).sqrt();
    let mut cum = 0.0;
    let mut trajectory = 3;
    for (t, share) in p.trajectory.iter().enumerate().take(3) {
        cum += share;
        if v < probit(cum) * scale {
            trajectory = t;
            break;
        }
    }
    let multiplier = |w: usize| {
        if w == 0 {
            1.0
        } else {
            p.trajectory_rate[trajectory][w - 1]
        }
    };

    let n_parents = 1 + usize::from(s.chance(p.second_parent));
    let n_children = 1 + s.pick(&p.children);
    // Response per wave (family), then per member.
    let extra_children = (n_children - 1) as f64;
    let present_t1 = s.chance(logistic(
        p.response[0] - p.response[3] * z + p.response[4] * extra_children,
    ));
    let present_t2 = if present_t1 {
        s.chance(logistic(
            p.response[1] - p.response[3] * z + p.response[4] * extra_children,
        ))
    } else {
        s.chance(logistic(p.response[2] - p.response[3] * z))
    };
    let family_present = [true, present_t1, present_t2];
    let mother_first = s.chance(p.mother_first);
    let mut members = Vec::with_capacity(n_parents + n_children);
    let mut n = 0u64;
    let next_id = |n: &mut u64| {
        *n += 1;
        format!("R{}", id((index << 4) | *n))
    };
    for k in 0..n_parents {
        let female = (k == 0) == mother_first;
        let sex = if female { 1 } else { 2 };
        let alcohol = risk_factor(&mut s, p.alcohol[usize::from(female)], b, z);
        members.push(Member {
            id: next_id(&mut n),
            parent: true,
            sex,
            age: 24 + (s.uniform() * 26.0) as i32,
            childhood_abuse: risk_factor(&mut s, p.childhood_abuse, b, z),
            alcohol,
            psychiatric: risk_factor(&mut s, p.psychiatric, b, z),
            waves: [None, None, None],
        });
    }
    for _ in 0..n_children {
        let age = (3.0 + s.exponential(p.child_age_mean_above_3)).min(18.0) as i32;
        members.push(Member {
            id: next_id(&mut n),
            parent: false,
            sex: 1 + i32::from(s.chance(0.5)),
            age,
            childhood_abuse: false,
            alcohol: false,
            psychiatric: false,
            waves: [None, None, None],
        });
    }

    // Which children experience violence, their rates and trauma latents.
    let mut first_child = true;
    let child_info: Vec<(bool, f64, f64)> = members
        .iter()
        .filter(|m| !m.parent)
        .map(|_| {
            let hit = child_violence && (first_child || s.chance(p.further_child_hit));
            first_child = false;
            let r = if hit { rate(&mut s, p.child_rate) } else { 0.0 };
            let t = p.trauma;
            let trauma = t[0]
                + t[1] * f64::from(u8::from(hit))
                + t[2] * f64::from(u8::from(partner_violence))
                + t[3] * z
                + s.normal();
            (hit, r, trauma)
        })
        .collect();
    let n_items = item_names().len();
    let partner_start = 0;
    let child_start = PARTNER_ITEMS.len();
    let c2p_start = child_start + CHILD_ITEMS.len();
    let trauma_start = c2p_start + CHILD_TO_PARENT_ITEMS.len();
    let child_to_parent = child_info
        .iter()
        .map(|(hit, _, _)| {
            s.chance(logistic(
                p.child_to_parent[0] + p.child_to_parent[1] * f64::from(u8::from(*hit)),
            ))
        })
        .collect::<Vec<bool>>();

    // Items done at an earlier wave (for code 7), per member and item.
    let mut done_before: Vec<Vec<bool>> = vec![vec![false; n_items]; members.len()];
    let mut child_k = 0;
    for (m, member) in members.iter_mut().enumerate() {
        let child = (!member.parent).then(|| {
            child_k += 1;
            child_info[child_k - 1]
        });
        let c2p = (!member.parent).then(|| child_to_parent[child_k - 1]);
        for (w, &(_, months, recall)) in WAVES.iter().enumerate() {
            let here = family_present[w] && (w == 0 || m == 0 || s.chance(p.member_response));
            if !here {
                continue;
            }
            let period = f64::from(recall) / 12.0;
            let mut values = vec![NOT_APPLICABLE; n_items];
            let mut items = |s: &mut Stream,
                             start: usize,
                             list: &[(&str, &str, f64)],
                             yearly: f64,
                             violent_before: bool,
                             values: &mut Vec<i32>| {
                for (j, &(_, _, share)) in list.iter().enumerate() {
                    let count = s.poisson(yearly * share * period);
                    let before = done_before[m][start + j];
                    values[start + j] = if count > 0 {
                        done_before[m][start + j] = true;
                        category(count)
                    } else if (w == 0 && violent_before && s.chance(p.before_t0))
                        || (w > 0 && before)
                    {
                        7
                    } else {
                        0
                    };
                }
            };
            if member.parent {
                let noise = (p.report_noise * s.normal()).exp()
                    * p.report_by_sex[(member.sex - 1) as usize];
                let yearly = partner_rate * multiplier(w) * noise;
                items(
                    &mut s,
                    partner_start,
                    &PARTNER_ITEMS,
                    yearly,
                    partner_violence,
                    &mut values,
                );
            } else if let (Some((hit, r, trauma)), Some(c2p)) = (child, c2p) {
                let yearly = r * multiplier(w);
                items(&mut s, child_start, &CHILD_ITEMS, yearly, hit, &mut values);
                let age_now = member.age + (months / 12) as i32;
                if age_now >= 8 {
                    let yearly = if c2p {
                        4.0 * multiplier(w).max(0.2)
                    } else {
                        0.0
                    };
                    items(
                        &mut s,
                        c2p_start,
                        &CHILD_TO_PARENT_ITEMS,
                        yearly,
                        c2p,
                        &mut values,
                    );
                }
                let stopped = w > 0 && multiplier(w) == 0.0;
                let level = trauma - if stopped { p.trauma[4] } else { 0.0 };
                for j in 0..TRAUMA_ITEMS {
                    let x = level + 0.8 * s.normal();
                    values[trauma_start + j] =
                        [0.0, 1.0, 2.0].iter().filter(|&&t| x > t).count() as i32;
                }
            }
            // Item non-response.
            for v in values.iter_mut().filter(|v| **v != NOT_APPLICABLE) {
                let u = s.uniform();
                if u < p.item_missing[0] {
                    *v = REFUSED;
                } else if u < p.item_missing[0] + p.item_missing[1] {
                    *v = DONT_KNOW;
                }
            }
            member.waves[w] = Some(values);
        }
    }
    Family {
        id: format!("F{}", id(index << 4)),
        municipality,
        region,
        poverty,
        unemployment,
        complex_divorce,
        members,
    }
}
