//! The model formula: the lme4 subset researchers write.
//!
//! `response ~ terms`, with `a + b`, `a:b`, `a*b` (= `a + b + a:b`), `- 1`
//! or `0 +` (no intercept), `factor(x)`, and random terms `(1 | g)`,
//! `(x | g)` (correlated intercept and slope), `(x || g)` (uncorrelated)
//! and `(1 | g1/g2)` (= `(1 | g1) + (1 | g2:g1)`, as lme4 names it). Every name keeps the
//! column at which it starts, so that a later check (is the name known?)
//! can point at it.

use crate::error::FormulaError;

/// The longest formula read: 10,000 characters.
pub const MAX_FORMULA_CHARS: usize = 10_000;

/// The most fixed-effects terms a formula may expand to (`a*b*c` is
/// seven): 1,000, far above what a study fits, and a bound on the cost of
/// reading any formula.
pub const MAX_TERMS: usize = 1_000;

/// The most random terms (after `/` and `||` are expanded).
pub const MAX_RANDOM_TERMS: usize = 100;

/// The most factors one product may join with `*` (`2^8 - 1` = 255 terms).
pub const MAX_PRODUCT_FACTORS: usize = 8;

/// A variable as the formula names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Var {
    /// The name inside any `factor( )`.
    pub name: String,
    /// Written as `factor(name)`: the values are levels.
    pub factor: bool,
    /// 1-based column of the name in the formula.
    pub column: usize,
}

impl Var {
    /// The name as R prints it in a coefficient: `factor(wave)` or `time`.
    pub fn label(&self) -> String {
        if self.factor {
            format!("factor({})", self.name)
        } else {
            self.name.clone()
        }
    }
}

/// A fixed-effects term: one variable, or the interaction of several.
pub type Term = Vec<Var>;

/// A random-effects term: effects per level of a grouping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RandomTerm {
    /// A random intercept.
    pub intercept: bool,
    /// Random slopes.
    pub slopes: Vec<Var>,
    /// The grouping: one factor, or the interaction of nested factors
    /// (`g2:g1`, from `g1/g2`, inner first as lme4 names it).
    pub group: Vec<Var>,
}

impl RandomTerm {
    /// The grouping as lme4 names it: `family_id`, or
    /// `respondent_id:family_id` from `family_id/respondent_id`.
    pub fn group_label(&self) -> String {
        self.group
            .iter()
            .map(|v| v.name.as_str())
            .collect::<Vec<_>>()
            .join(":")
    }

    /// Effects per level: the intercept and the slopes.
    pub fn size(&self) -> usize {
        usize::from(self.intercept) + self.slopes.len()
    }
}

/// A parsed formula.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formula {
    /// The text as given.
    pub text: String,
    /// The response.
    pub response: Var,
    /// An intercept (unless `0 +` or `- 1`).
    pub intercept: bool,
    /// Fixed-effects terms, main effects first, then by order (as R).
    pub fixed: Vec<Term>,
    /// Random-effects terms; `(x || g)` gives one term per effect and
    /// `(1 | g1/g2)` one per level of nesting.
    pub random: Vec<RandomTerm>,
}

impl Formula {
    /// Every variable the formula names, with its column.
    pub fn vars(&self) -> Vec<&Var> {
        let mut out = vec![&self.response];
        out.extend(self.fixed.iter().flatten());
        for r in &self.random {
            out.extend(&r.slopes);
            out.extend(&r.group);
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    Number(String),
    Tilde,
    Plus,
    Minus,
    Colon,
    Star,
    Slash,
    Bar,
    DoubleBar,
    Open,
    Close,
}

/// Tokens with their 1-based columns.
fn tokens(text: &str) -> Result<Vec<(Tok, usize)>, FormulaError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        let single = match c {
            '~' => Some(Tok::Tilde),
            '+' => Some(Tok::Plus),
            '-' => Some(Tok::Minus),
            ':' => Some(Tok::Colon),
            '*' => Some(Tok::Star),
            '/' => Some(Tok::Slash),
            '(' => Some(Tok::Open),
            ')' => Some(Tok::Close),
            _ => None,
        };
        if c.is_whitespace() {
            i += 1;
        } else if c == '|' {
            if chars.get(i + 1) == Some(&'|') {
                out.push((Tok::DoubleBar, col));
                i += 2;
            } else {
                out.push((Tok::Bar, col));
                i += 1;
            }
        } else if let Some(t) = single {
            out.push((t, col));
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            out.push((Tok::Number(chars[start..i].iter().collect()), col));
        } else if c.is_alphabetic() || c == '_' || c == '.' || c == '`' {
            let start = i;
            if c == '`' {
                // A back-quoted name, as R allows: `my var`.
                i += 1;
                while i < chars.len() && chars[i] != '`' {
                    i += 1;
                }
                if i == chars.len() {
                    return Err(FormulaError::at(col, "a back-quoted name is not closed"));
                }
                let name: String = chars[start + 1..i].iter().collect();
                i += 1;
                out.push((Tok::Name(name), col));
                continue;
            }
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                i += 1;
            }
            out.push((Tok::Name(chars[start..i].iter().collect()), col));
        } else {
            return Err(FormulaError::at(
                col,
                format!("unexpected character '{c}'; expected a name, a number or one of ~ + - : * / | ( )"),
            ));
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    at: usize,
    end: usize,
}

/// A summand of the right-hand side before expansion.
enum Summand {
    /// `1` or `0`: intercept in or out.
    Intercept(bool),
    /// Fixed terms (a product expands to several).
    Fixed(Vec<Term>),
    Random(Vec<RandomTerm>),
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at).map(|(t, _)| t)
    }

    fn column(&self) -> usize {
        self.toks.get(self.at).map_or(self.end, |(_, c)| *c)
    }

    fn next(&mut self) -> Option<(Tok, usize)> {
        let t = self.toks.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn expect(&mut self, want: Tok, what: &str) -> Result<(), FormulaError> {
        let col = self.column();
        match self.next() {
            Some((t, _)) if t == want => Ok(()),
            _ => Err(FormulaError::at(col, format!("expected {what}"))),
        }
    }

    /// `name` or `factor(name)`.
    fn var(&mut self) -> Result<Var, FormulaError> {
        let col = self.column();
        match self.next() {
            Some((Tok::Name(n), c)) if n == "factor" && self.peek() == Some(&Tok::Open) => {
                self.at += 1;
                let inner_col = self.column();
                let name = match self.next() {
                    Some((Tok::Name(n), _)) => n,
                    _ => {
                        return Err(FormulaError::at(
                            inner_col,
                            "expected a name inside factor( )",
                        ))
                    }
                };
                self.expect(Tok::Close, "')' to close factor(")?;
                let _ = c;
                Ok(Var {
                    name,
                    factor: true,
                    column: inner_col,
                })
            }
            Some((Tok::Name(n), c)) => Ok(Var {
                name: n,
                factor: false,
                column: c,
            }),
            _ => Err(FormulaError::at(col, "expected a variable name")),
        }
    }

    /// `a`, `a:b`, `a*b`, ... (`*` expands to all sub-interactions).
    fn product(&mut self) -> Result<Vec<Term>, FormulaError> {
        // Each factor of the product, and whether it was joined by `*`.
        let mut groups: Vec<Vec<Var>> = vec![vec![self.var()?]];
        loop {
            match self.peek() {
                Some(Tok::Colon) => {
                    self.at += 1;
                    let v = self.var()?;
                    groups.last_mut().expect("one group at least").push(v);
                }
                Some(Tok::Star) => {
                    self.at += 1;
                    groups.push(vec![self.var()?]);
                }
                _ => break,
            }
        }
        // a*b*c: every non-empty subset of the `*`-factors, in R's order.
        let k = groups.len();
        if k > MAX_PRODUCT_FACTORS {
            return Err(FormulaError::at(
                self.column(),
                format!("more than {MAX_PRODUCT_FACTORS} factors joined by '*'"),
            ));
        }
        let mut terms = Vec::new();
        for mask in 1u32..(1 << k) {
            let term: Term = (0..k)
                .filter(|i| mask & (1 << i) != 0)
                .flat_map(|i| groups[i].iter().cloned())
                .collect();
            terms.push(term);
        }
        Ok(terms)
    }

    /// `(expr | group)` or `(expr || group)`, after the `(`.
    fn random(&mut self, open_col: usize) -> Result<Vec<RandomTerm>, FormulaError> {
        let mut intercept = true;
        let mut slopes = Vec::new();
        let mut first = true;
        loop {
            let col = self.column();
            match self.peek().cloned() {
                Some(Tok::Number(n)) if n == "0" || n == "1" => {
                    self.at += 1;
                    intercept = n == "1";
                }
                Some(Tok::Minus) if !first => {
                    self.at += 1;
                    match self.next() {
                        Some((Tok::Number(n), _)) if n == "1" => intercept = false,
                        _ => return Err(FormulaError::at(col, "expected '- 1'")),
                    }
                }
                Some(Tok::Name(_)) => slopes.push(self.var()?),
                _ => {
                    return Err(FormulaError::at(
                        col,
                        "expected 1, 0 or a variable before '|' in a random term",
                    ))
                }
            }
            first = false;
            match self.peek() {
                Some(Tok::Plus) => self.at += 1,
                Some(Tok::Minus) => {}
                _ => break,
            }
        }
        let col = self.column();
        let correlated = match self.next() {
            Some((Tok::Bar, _)) => true,
            Some((Tok::DoubleBar, _)) => false,
            _ => {
                return Err(FormulaError::at(
                    col,
                    "expected '|' or '||' in a random term",
                ))
            }
        };
        // The grouping: g, g1/g2, g1:g2.
        let mut path = vec![vec![self.var()?]];
        loop {
            match self.peek() {
                Some(Tok::Slash) => {
                    self.at += 1;
                    path.push(vec![self.var()?]);
                }
                Some(Tok::Colon) => {
                    self.at += 1;
                    let v = self.var()?;
                    path.last_mut().expect("one level at least").push(v);
                }
                _ => break,
            }
        }
        self.expect(Tok::Close, "')' to close the random term")?;
        if !intercept && slopes.is_empty() {
            return Err(FormulaError::at(open_col, "a random term with no effect"));
        }
        if let Some(v) = path.iter().flatten().find(|v| v.factor) {
            return Err(FormulaError::at(
                v.column,
                "a grouping is a factor already: write it without factor( )",
            ));
        }
        let mut out = Vec::new();
        let mut group: Vec<Var> = Vec::new();
        for level in path {
            // lme4 names a nested level inner first: `(1 | g1/g2)` is
            // `(1 | g1) + (1 | g2:g1)`.
            group.splice(0..0, level);
            if correlated {
                out.push(RandomTerm {
                    intercept,
                    slopes: slopes.clone(),
                    group: group.clone(),
                });
            } else {
                // Uncorrelated: one term for each effect.
                if intercept {
                    out.push(RandomTerm {
                        intercept: true,
                        slopes: Vec::new(),
                        group: group.clone(),
                    });
                }
                for s in &slopes {
                    out.push(RandomTerm {
                        intercept: false,
                        slopes: vec![s.clone()],
                        group: group.clone(),
                    });
                }
            }
        }
        Ok(out)
    }

    /// One summand of the right-hand side, with its sign.
    fn summand(&mut self) -> Result<Summand, FormulaError> {
        let col = self.column();
        match self.peek().cloned() {
            Some(Tok::Number(n)) if n == "0" || n == "1" => {
                self.at += 1;
                Ok(Summand::Intercept(n == "1"))
            }
            Some(Tok::Number(n)) => Err(FormulaError::at(
                col,
                format!("a number '{n}' is not a term; only 0 or 1 (the intercept)"),
            )),
            Some(Tok::Open) => {
                self.at += 1;
                Ok(Summand::Random(self.random(col)?))
            }
            Some(Tok::Name(_)) => Ok(Summand::Fixed(self.product()?)),
            _ => Err(FormulaError::at(col, "expected a term")),
        }
    }
}

/// Parses a formula. Names are checked later, against the data.
pub fn parse(text: &str) -> Result<Formula, FormulaError> {
    let n = text.chars().count();
    if n > MAX_FORMULA_CHARS {
        return Err(FormulaError::at(
            1,
            format!("the formula has {n} characters; expected at most {MAX_FORMULA_CHARS}"),
        ));
    }
    let toks = tokens(text)?;
    let mut p = Parser {
        toks,
        at: 0,
        end: n + 1,
    };
    let response = p.var()?;
    p.expect(Tok::Tilde, "'~' after the response")?;
    let mut intercept = true;
    let mut fixed: Vec<Term> = Vec::new();
    let mut random = Vec::new();
    let mut minus = false;
    loop {
        let col = p.column();
        match p.summand()? {
            Summand::Intercept(one) => intercept = one != minus,
            Summand::Fixed(terms) if minus => {
                return Err(FormulaError::at(
                    col,
                    format!(
                        "removing a term ('- {}') is not supported; only '- 1'",
                        terms[0]
                            .iter()
                            .map(Var::label)
                            .collect::<Vec<_>>()
                            .join(":")
                    ),
                ))
            }
            Summand::Fixed(terms) => {
                fixed.extend(terms);
                if fixed.len() > MAX_TERMS {
                    return Err(FormulaError::at(
                        col,
                        format!("the formula expands to more than {MAX_TERMS} terms"),
                    ));
                }
            }
            Summand::Random(_) if minus => {
                return Err(FormulaError::at(col, "a random term cannot be removed"))
            }
            Summand::Random(terms) => {
                random.extend(terms);
                if random.len() > MAX_RANDOM_TERMS {
                    return Err(FormulaError::at(
                        col,
                        format!("more than {MAX_RANDOM_TERMS} random terms"),
                    ));
                }
            }
        }
        let col = p.column();
        match p.next() {
            None => break,
            Some((Tok::Plus, _)) => minus = false,
            Some((Tok::Minus, _)) => minus = true,
            Some(_) => {
                return Err(FormulaError::at(
                    col,
                    "expected '+' or '-' between terms, or the end of the formula",
                ))
            }
        }
    }
    // The same term twice counts once (as in R), whatever the order of its
    // variables; then main effects first, then two-way interactions, ...
    let key = |t: &Term| {
        let mut k: Vec<String> = t.iter().map(Var::label).collect();
        k.sort();
        k
    };
    let mut seen = std::collections::HashSet::new();
    fixed.retain(|t| seen.insert(key(t)));
    fixed.sort_by_key(Vec::len);
    Ok(Formula {
        text: text.to_string(),
        response,
        intercept,
        fixed,
        random,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(f: &Formula) -> Vec<String> {
        f.fixed
            .iter()
            .map(|t| t.iter().map(Var::label).collect::<Vec<_>>().join(":"))
            .collect()
    }

    #[test]
    fn products_expand_and_order_as_in_r() {
        let f = parse("y ~ time * trt + age").unwrap();
        assert_eq!(labels(&f), ["time", "trt", "age", "time:trt"]);
        assert!(f.intercept);
        let f = parse("y ~ a*b*c").unwrap();
        assert_eq!(labels(&f), ["a", "b", "c", "a:b", "a:c", "b:c", "a:b:c"]);
        let f = parse("y ~ factor(wave) + a:b + b:a").unwrap();
        assert_eq!(labels(&f), ["factor(wave)", "a:b"]);
    }

    #[test]
    fn no_intercept_either_way() {
        assert!(!parse("y ~ 0 + x").unwrap().intercept);
        assert!(!parse("y ~ x - 1").unwrap().intercept);
        assert!(parse("y ~ 1 + x").unwrap().intercept);
    }

    #[test]
    fn random_terms() {
        let f = parse("y ~ time + (time | id)").unwrap();
        assert_eq!(f.random.len(), 1);
        assert!(f.random[0].intercept && f.random[0].slopes[0].name == "time");
        let f = parse("y ~ time + (time || id)").unwrap();
        assert_eq!(f.random.len(), 2);
        assert!(f.random[0].intercept && f.random[0].slopes.is_empty());
        assert!(!f.random[1].intercept && f.random[1].slopes.len() == 1);
        let f = parse("y ~ 1 + (1 | family/child)").unwrap();
        let groups: Vec<String> = f.random.iter().map(RandomTerm::group_label).collect();
        assert_eq!(groups, ["family", "child:family"]);
        // As lme4's expandSlash: `a:b/c` is `(1 | a:b) + (1 | c:a:b)`.
        let f = parse("y ~ 1 + (1 | a:b/c)").unwrap();
        let groups: Vec<String> = f.random.iter().map(RandomTerm::group_label).collect();
        assert_eq!(groups, ["a:b", "c:a:b"]);
        let f = parse("y ~ (0 + x | g)").unwrap();
        assert!(!f.random[0].intercept);
    }

    #[test]
    fn errors_point_at_the_token() {
        let e = parse("y ~ wave + ").unwrap_err();
        assert_eq!(e.column, 12);
        let e = parse("y ~ wave $ x").unwrap_err();
        assert_eq!(e.column, 10);
        let e = parse("y ~ (1 | g").unwrap_err();
        assert!(e.message.contains("')'"), "{e}");
        let e = parse("y wave").unwrap_err();
        assert_eq!(e.column, 3);
        let e = parse("y ~ x - z").unwrap_err();
        assert_eq!(e.column, 9);
    }

    #[test]
    fn an_expansion_past_the_term_limit_is_an_error_not_a_long_wait() {
        // An 8-factor product is 255 terms (the same product twice counts
        // once); four different ones reach 1,020, past the limit.
        let product = |p: char| {
            (0..8)
                .map(|i| format!("{p}{i}"))
                .collect::<Vec<_>>()
                .join("*")
        };
        let f = parse(&format!("y ~ {} + {}", product('x'), product('x'))).unwrap();
        assert_eq!(f.fixed.len(), 255);
        let three = format!("y ~ {} + {} + {}", product('x'), product('z'), product('w'));
        assert_eq!(parse(&three).unwrap().fixed.len(), 765);
        let e = parse(&format!("{three} + {}", product('v'))).unwrap_err();
        assert!(e.message.contains("more than 1000 terms"), "{e}");
        let nine = (0..9)
            .map(|i| format!("x{i}"))
            .collect::<Vec<_>>()
            .join("*");
        let e = parse(&format!("y ~ {nine}")).unwrap_err();
        assert!(e.message.contains("more than 8 factors"), "{e}");
    }

    #[test]
    fn names_keep_their_columns() {
        let f = parse("y ~ wave + (1 | famly_id)").unwrap();
        assert_eq!(f.random[0].group[0].column, 17);
        let f = parse("y ~ factor(wave)").unwrap();
        assert_eq!(f.fixed[0][0].column, 12);
    }
}
