//! Methodology profiles: what a crediting methodology says about a mineralization project,
//! as data. A profile is a YAML file (the shipped ones are in `crates/calx-carbon/profiles/`,
//! a user copies one and edits it) decoded here with the flowsheet parser's positions, so
//! that every problem is reported with file, line, column and field, all at once.
//!
//! ```yaml
//! profile: iso-14064-2                # the name flowsheets select it by
//! title: Generic GHG project (ISO 14064-2:2019)
//! reference: "ISO 14064-2:2019 ..."   # the methodology, its version and date
//! status: "what this profile is and is not"
//! origins:                            # how CO2 fixed from each origin counts, and why
//!   fossil: { counts_as: reduction, rule: "..." }
//!   biogenic: { counts_as: removal, rule: "..." }
//!   atmospheric: { counts_as: removal, rule: "..." }
//! issues: [reduction, removal]        # which kinds of credit the programme issues
//! storage:                            # storage classes the flowsheet may name
//!   mine_backfill:
//!     eligible: true
//!     durability: "..."
//!     rule: "..."
//!     reversal_buffer: { user: "why no number can be shipped" }   # or { value: 0 %, source: "..." }
//! baseline:
//!   natural_carbonation: required     # or optional
//!   rule: "..."
//! figures:                            # each { value, source } or { user: "why" }
//!   crediting_period: { value: 10 yr, source: "..." }
//!   leakage: { value: 0 %, source: "..." }
//! uncertainty:
//!   rule: percentile                  # or none
//!   percentile: { value: 5, source: "..." }
//!   text: "..."
//! claim_requires: ["what Calx cannot provide for a real claim", ...]
//! ```
//!
//! A figure the methodology does not fix, or that could not be sourced, is written
//! `{ user: "..." }`: there is no default, and the flowsheet must give it
//! (`analyses.carbon.figures`), or the ledger refuses with the figure's position here.

use std::collections::BTreeMap;

use calx_core::Dimension;
use calx_core::quantity::UnitTable;
use calx_core::suggest::nearest;
use calx_flowsheet::{Diagnostic, Diagnostics, Loc, Located, LocatedValue, parse_located};
use serde::Serialize;

/// Where the CO2 a plant fixes came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Fossil carbon: flue gas of a coal or gas plant, a cement kiln's fuel share.
    Fossil,
    /// Biogenic carbon: biomass combustion or fermentation.
    Biogenic,
    /// Taken from the air (direct air capture).
    Atmospheric,
}

impl Origin {
    /// Every origin, in report order.
    pub const ALL: [Origin; 3] = [Origin::Fossil, Origin::Biogenic, Origin::Atmospheric];

    /// The word written in flowsheets and profiles.
    pub fn word(self) -> &'static str {
        match self {
            Origin::Fossil => "fossil",
            Origin::Biogenic => "biogenic",
            Origin::Atmospheric => "atmospheric",
        }
    }

    /// The origin a word names.
    pub fn from_word(word: &str) -> Option<Origin> {
        Origin::ALL.into_iter().find(|o| o.word() == word)
    }
}

/// What CO2 of one origin, once stored, is under a methodology.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CountsAs {
    /// An emission reduction: the CO2 would otherwise have been emitted.
    Reduction,
    /// A removal: CO2 taken out of the atmosphere (or the short carbon cycle) and stored.
    Removal,
    /// Not credited at all under this methodology (its project emissions still count).
    NotCredited,
}

impl CountsAs {
    const WORDS: [(&'static str, CountsAs); 3] =
        [("reduction", CountsAs::Reduction), ("removal", CountsAs::Removal), ("not_credited", CountsAs::NotCredited)];

    /// The word written in profiles.
    pub fn word(self) -> &'static str {
        CountsAs::WORDS.iter().find(|(_, c)| *c == self).map_or("", |(w, _)| w)
    }
}

/// How CO2 of one origin counts, and the methodology's reason.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OriginRule {
    /// Reduction, removal or not credited.
    pub counts_as: CountsAs,
    /// The rule and its source, as the report shows it.
    pub rule: String,
}

/// A number a methodology fixes, with its source, or one the user must give.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Figure {
    /// Given by the profile, in SI, with its source.
    Given {
        /// Value, SI (fractions as fractions, times in s).
        value: f64,
        /// Where it comes from.
        source: String,
    },
    /// No default: the flowsheet must give it, and why the profile cannot.
    FromUser {
        /// Why there is no number here (the methodology leaves it to a tool, or it could
        /// not be sourced).
        why: String,
    },
}

/// A figure with where the profile declares it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Declared {
    /// The figure.
    pub figure: Figure,
    /// Its position in the profile file.
    #[serde(skip)]
    pub loc: Loc,
}

/// A place the carbonate goes, and what the methodology makes of it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StorageClass {
    /// Whether CO2 stored this way is credited at all.
    pub eligible: bool,
    /// How long the storage is expected to last, as the methodology puts it.
    pub durability: String,
    /// The rule and its source.
    pub rule: String,
    /// Share of credits set aside against reversal.
    pub reversal_buffer: Declared,
}

/// How the study's spread turns into a deduction.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UncertaintyRule {
    /// No deduction is required (the ledger still reports the spread when a study ran).
    None,
    /// Credit this percentile of the study's credited tonnes, when it is below the central
    /// figure.
    Percentile(Declared),
}

/// A decoded methodology profile.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Profile {
    /// The name flowsheets select it by.
    pub name: String,
    /// The file it was read from (shipped profiles: their path in the repository).
    pub file: String,
    /// Title.
    pub title: String,
    /// The methodology, its version and date.
    pub reference: String,
    /// What the profile is (and is not).
    pub status: String,
    /// How CO2 of each origin counts.
    pub origins: BTreeMap<Origin, OriginRule>,
    /// The kinds of credit the programme issues.
    pub issues: Vec<CountsAs>,
    /// Storage classes by name.
    pub storage: BTreeMap<String, StorageClass>,
    /// Whether a natural-carbonation baseline must be declared.
    pub natural_carbonation_required: bool,
    /// The baseline rule and its source.
    pub baseline_rule: String,
    /// Crediting period, leakage and any other figure, by name.
    pub figures: BTreeMap<String, Declared>,
    /// Where `figures:` is written (the top of the file when it is not): where a figure the
    /// profile does not declare would go.
    #[serde(skip)]
    pub figures_at: Loc,
    /// The uncertainty deduction.
    pub uncertainty: UncertaintyRule,
    /// The uncertainty rule as the report states it.
    pub uncertainty_text: String,
    /// What a real claim needs that Calx does not provide.
    pub claim_requires: Vec<String>,
}

/// Figures a profile may declare under `figures:`, with their dimension and display unit.
pub const FIGURES: [(&str, Dimension, &str, &str); 2] = [
    ("crediting_period", Dimension::TIME, "yr", "years in which credits are issued"),
    (
        "leakage",
        Dimension::DIMENSIONLESS,
        "%",
        "emissions outside the boundary caused by the project, share of gross CO2 fixed",
    ),
];

const TOP: [&str; 11] = [
    "profile",
    "title",
    "reference",
    "status",
    "origins",
    "issues",
    "storage",
    "baseline",
    "figures",
    "uncertainty",
    "claim_requires",
];

impl Profile {
    /// Decode profile text; `file` names it in messages. Every problem comes back at once.
    pub fn parse(text: &str, file: &str) -> Result<Profile, Diagnostics> {
        let root = parse_located(text)
            .map_err(|(loc, message)| Diagnostics::of(file, text, vec![Diagnostic::new(loc, "(syntax)", message)]))?;
        let mut d = Decoder { problems: Vec::new(), units: UnitTable::builtin() };
        let profile = d.profile(&root, file);
        match profile {
            Some(p) if d.problems.is_empty() => Ok(p),
            _ => Err(Diagnostics::of(file, text, d.problems)),
        }
    }

    /// A figure of `figures:` by name.
    pub fn figure(&self, name: &str) -> Option<&Declared> {
        self.figures.get(name)
    }
}

struct Decoder {
    problems: Vec<Diagnostic>,
    units: UnitTable,
}

type Entries<'a> = &'a [(String, Loc, Located)];

impl Decoder {
    fn error(&mut self, d: Diagnostic) {
        self.problems.push(d);
    }

    fn profile(&mut self, root: &Located, file: &str) -> Option<Profile> {
        let top = self.mapping(root, "(profile)")?;
        self.only(top, &TOP, "");
        let name = self.required_text(top, root.loc, "profile");
        let title = self.required_text(top, root.loc, "title");
        let reference = self.required_text(top, root.loc, "reference");
        let status = self.required_text(top, root.loc, "status");
        let origins = self.origins(top, root.loc);
        let issues = self.issues(top, root.loc);
        let storage = self.storage(top, root.loc);
        let baseline = self.baseline(top, root.loc);
        let figures = self.figures(top);
        let figures_at = top.iter().find(|(k, _, _)| k == "figures").map_or(root.loc, |(_, loc, _)| *loc);
        let uncertainty = self.uncertainty(top, root.loc);
        let claim_requires = self.text_list(top, root.loc, "claim_requires");
        let (natural_carbonation_required, baseline_rule) = baseline?;
        let (uncertainty, uncertainty_text) = uncertainty?;
        Some(Profile {
            name: name?,
            file: file.to_string(),
            title: title?,
            reference: reference?,
            status: status?,
            origins: origins?,
            issues: issues?,
            storage: storage?,
            natural_carbonation_required,
            baseline_rule,
            figures,
            figures_at,
            uncertainty,
            uncertainty_text,
            claim_requires: claim_requires?,
        })
    }

    fn mapping<'a>(&mut self, n: &'a Located, field: &str) -> Option<Entries<'a>> {
        let entries = n.entries();
        if entries.is_none() {
            self.error(Diagnostic::new(n.loc, field, "expected a mapping").found(n.show()));
        }
        entries
    }

    /// Refuse keys outside `allowed`, suggesting the nearest.
    fn only(&mut self, entries: Entries<'_>, allowed: &[&str], parent: &str) {
        for (k, loc, _) in entries.iter().filter(|(k, _, _)| !allowed.contains(&k.as_str())) {
            let field = join(parent, k);
            self.error(
                Diagnostic::new(*loc, &field, format!("unknown field `{k}`"))
                    .found(k.clone())
                    .allowed(allowed.join(", "))
                    .suggest(nearest(k, allowed.iter().copied())),
            );
        }
    }

    fn get<'a>(&mut self, entries: Entries<'a>, at: Loc, parent: &str, name: &str) -> Option<&'a Located> {
        let found = entries.iter().find(|(k, _, _)| k == name).map(|(_, _, v)| v);
        if found.is_none() {
            self.error(Diagnostic::new(at, &join(parent, name), format!("the profile needs `{name}`")));
        }
        found
    }

    fn text(&mut self, n: &Located, field: &str) -> Option<String> {
        match n.scalar() {
            Some(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            _ => {
                self.error(Diagnostic::new(n.loc, field, "expected text").found(n.show()));
                None
            }
        }
    }

    fn required_text(&mut self, entries: Entries<'_>, at: Loc, name: &str) -> Option<String> {
        let n = self.get(entries, at, "", name)?;
        self.text(n, name)
    }

    fn text_list(&mut self, entries: Entries<'_>, at: Loc, name: &str) -> Option<Vec<String>> {
        let n = self.get(entries, at, "", name)?;
        let LocatedValue::List(items) = &n.value else {
            self.error(Diagnostic::new(n.loc, name, "expected a list of texts").found(n.show()));
            return None;
        };
        items.iter().enumerate().map(|(i, item)| self.text(item, &format!("{name}[{i}]"))).collect()
    }

    fn choice<T: Copy>(&mut self, n: &Located, field: &str, words: &[(&str, T)]) -> Option<T> {
        let word = self.text(n, field)?;
        let found = words.iter().find(|(w, _)| *w == word).map(|(_, v)| *v);
        if found.is_none() {
            let names: Vec<&str> = words.iter().map(|(w, _)| *w).collect();
            self.error(
                Diagnostic::new(n.loc, field, "not an allowed word")
                    .found(word.clone())
                    .allowed(names.join(", "))
                    .suggest(nearest(&word, names.iter().copied())),
            );
        }
        found
    }

    fn origins(&mut self, top: Entries<'_>, at: Loc) -> Option<BTreeMap<Origin, OriginRule>> {
        let n = self.get(top, at, "", "origins")?;
        let entries = self.mapping(n, "origins")?;
        let words: Vec<&str> = Origin::ALL.iter().map(|o| o.word()).collect();
        self.only(entries, &words, "origins");
        let mut out = BTreeMap::new();
        for origin in Origin::ALL {
            let field = join("origins", origin.word());
            let Some(rule) = self.get(entries, n.loc, "origins", origin.word()) else { continue };
            let Some(fields) = self.mapping(rule, &field) else { continue };
            self.only(fields, &["counts_as", "rule"], &field);
            let counts_as = self
                .get(fields, rule.loc, &field, "counts_as")
                .and_then(|c| self.choice(c, &join(&field, "counts_as"), &CountsAs::WORDS));
            let text = self.get(fields, rule.loc, &field, "rule").and_then(|r| self.text(r, &join(&field, "rule")));
            if let (Some(counts_as), Some(rule)) = (counts_as, text) {
                out.insert(origin, OriginRule { counts_as, rule });
            }
        }
        (out.len() == Origin::ALL.len()).then_some(out)
    }

    fn issues(&mut self, top: Entries<'_>, at: Loc) -> Option<Vec<CountsAs>> {
        let n = self.get(top, at, "", "issues")?;
        let LocatedValue::List(items) = &n.value else {
            self.error(
                Diagnostic::new(n.loc, "issues", "expected a list such as [reduction, removal]").found(n.show()),
            );
            return None;
        };
        let words = [("reduction", CountsAs::Reduction), ("removal", CountsAs::Removal)];
        items.iter().enumerate().map(|(i, item)| self.choice(item, &format!("issues[{i}]"), &words)).collect()
    }

    fn storage(&mut self, top: Entries<'_>, at: Loc) -> Option<BTreeMap<String, StorageClass>> {
        let n = self.get(top, at, "", "storage")?;
        let entries = self.mapping(n, "storage")?;
        let mut out = BTreeMap::new();
        let mut ok = true;
        for (name, _, class) in entries {
            let field = join("storage", name);
            match self.storage_class(class, &field) {
                Some(c) => {
                    out.insert(name.clone(), c);
                }
                None => ok = false,
            }
        }
        if out.is_empty() && ok {
            self.error(Diagnostic::new(n.loc, "storage", "the profile must name at least one storage class"));
        }
        ok.then_some(out)
    }

    fn storage_class(&mut self, class: &Located, field: &str) -> Option<StorageClass> {
        let fields = self.mapping(class, field)?;
        self.only(fields, &["eligible", "durability", "rule", "reversal_buffer"], field);
        let eligible = self
            .get(fields, class.loc, field, "eligible")
            .and_then(|e| self.choice(e, &join(field, "eligible"), &[("true", true), ("false", false)]));
        let durability =
            self.get(fields, class.loc, field, "durability").and_then(|d| self.text(d, &join(field, "durability")));
        let rule = self.get(fields, class.loc, field, "rule").and_then(|r| self.text(r, &join(field, "rule")));
        let buffer = self
            .get(fields, class.loc, field, "reversal_buffer")
            .and_then(|b| self.figure(b, &join(field, "reversal_buffer"), Dimension::DIMENSIONLESS));
        Some(StorageClass { eligible: eligible?, durability: durability?, rule: rule?, reversal_buffer: buffer? })
    }

    fn baseline(&mut self, top: Entries<'_>, at: Loc) -> Option<(bool, String)> {
        let n = self.get(top, at, "", "baseline")?;
        let fields = self.mapping(n, "baseline")?;
        self.only(fields, &["natural_carbonation", "rule"], "baseline");
        let required = self
            .get(fields, n.loc, "baseline", "natural_carbonation")
            .and_then(|r| self.choice(r, "baseline.natural_carbonation", &[("required", true), ("optional", false)]));
        let rule = self.get(fields, n.loc, "baseline", "rule").and_then(|r| self.text(r, "baseline.rule"));
        Some((required?, rule?))
    }

    fn figures(&mut self, top: Entries<'_>) -> BTreeMap<String, Declared> {
        let mut out = BTreeMap::new();
        let Some(n) = top.iter().find(|(k, _, _)| k == "figures").map(|(_, _, v)| v) else { return out };
        let Some(entries) = self.mapping(n, "figures") else { return out };
        let names: Vec<&str> = FIGURES.iter().map(|f| f.0).collect();
        self.only(entries, &names, "figures");
        for (name, _, v) in entries {
            if let Some(&(_, dimension, _, _)) = FIGURES.iter().find(|f| f.0 == name)
                && let Some(figure) = self.figure(v, &join("figures", name), dimension)
            {
                out.insert(name.clone(), figure);
            }
        }
        out
    }

    fn uncertainty(&mut self, top: Entries<'_>, at: Loc) -> Option<(UncertaintyRule, String)> {
        let n = self.get(top, at, "", "uncertainty")?;
        let fields = self.mapping(n, "uncertainty")?;
        self.only(fields, &["rule", "percentile", "text"], "uncertainty");
        let rule = self
            .get(fields, n.loc, "uncertainty", "rule")
            .and_then(|r| self.choice(r, "uncertainty.rule", &[("none", false), ("percentile", true)]));
        let text = self.get(fields, n.loc, "uncertainty", "text").and_then(|t| self.text(t, "uncertainty.text"));
        let rule = match rule? {
            false => UncertaintyRule::None,
            true => UncertaintyRule::Percentile(self.percentile(fields, n.loc)?),
        };
        Some((rule, text?))
    }

    /// The percentile credited: a number above 0 and at most 50 (`5` for P5, never `5 %`).
    fn percentile(&mut self, fields: Entries<'_>, at: Loc) -> Option<Declared> {
        let field = "uncertainty.percentile";
        let p = self.get(fields, at, "uncertainty", "percentile")?;
        let written =
            p.entries().and_then(|e| e.iter().find(|(k, _, _)| k == "value")).and_then(|(_, _, v)| v.scalar());
        if let Some(text) = written.filter(|t| t.contains('%')) {
            self.error(
                Diagnostic::new(p.loc, field, "write the percentile as a number, `5` for P5").found(text.to_string()),
            );
            return None;
        }
        let declared = self.figure(p, field, Dimension::DIMENSIONLESS)?;
        if let Figure::Given { value, .. } = declared.figure
            && !(value > 0.0 && value <= 50.0)
        {
            self.error(
                Diagnostic::new(p.loc, field, "the percentile credited must be above 0 and at most 50")
                    .found(value.to_string()),
            );
            return None;
        }
        Some(declared)
    }

    /// `{ value: Q, source: TEXT }` or `{ user: WHY }`.
    fn figure(&mut self, n: &Located, field: &str, dimension: Dimension) -> Option<Declared> {
        let fields = self.mapping(n, field)?;
        self.only(fields, &["value", "source", "user"], field);
        let has = |name: &str| fields.iter().any(|(k, _, _)| k == name);
        if has("user") {
            if has("value") || has("source") {
                self.error(Diagnostic::new(n.loc, field, "give either `user: WHY` or `value` with `source`, not both"));
                return None;
            }
            let why = self.get(fields, n.loc, field, "user").and_then(|w| self.text(w, &join(field, "user")))?;
            return Some(Declared { figure: Figure::FromUser { why }, loc: n.loc });
        }
        let value =
            self.get(fields, n.loc, field, "value").and_then(|v| self.quantity(v, &join(field, "value"), dimension));
        let source = self.get(fields, n.loc, field, "source").and_then(|s| self.text(s, &join(field, "source")));
        Some(Declared { figure: Figure::Given { value: value?, source: source? }, loc: n.loc })
    }

    fn quantity(&mut self, n: &Located, field: &str, dimension: Dimension) -> Option<f64> {
        let text = self.text(n, field)?;
        match self.units.parse_as(&text, dimension) {
            Ok(v) if v.is_finite() && v >= 0.0 => Some(v),
            Ok(v) => {
                self.error(Diagnostic::new(n.loc, field, "must be finite and not negative").found(v.to_string()));
                None
            }
            Err(e) => {
                self.error(Diagnostic::new(n.loc, field, e.to_string()).found(text).allowed(dimension.describe()));
                None
            }
        }
    }
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() { name.to_string() } else { format!("{parent}.{name}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped(name: &str) -> &'static str {
        crate::SHIPPED.iter().find(|s| s.0 == name).map(|s| s.2).expect("a shipped profile")
    }

    #[test]
    fn every_shipped_profile_decodes_and_names_itself() {
        for (name, file, text) in crate::SHIPPED {
            let p = Profile::parse(text, file).unwrap_or_else(|d| panic!("{d}"));
            assert_eq!(p.name, name);
            assert_eq!(p.origins.len(), 3);
            assert!(!p.claim_requires.is_empty(), "{name}: a profile says what a real claim still needs");
            // Every profile dates the methodology it follows (issue 18: each rule with its
            // source and date).
            let dated = p.reference.split(|c: char| !c.is_ascii_digit()).any(|w| w.len() == 4 && w.starts_with("20"));
            assert!(dated, "{name}: the reference gives no year: {}", p.reference);
        }
    }

    #[test]
    fn every_problem_is_reported_at_once_with_its_position() {
        let text = shipped("iso-14064-2")
            .replace("counts_as: reduction", "counts_as: reductoin")
            .replace("issues: [reduction, removal]", "issues: [reduction, removals]")
            .replace("uncertainty:\n  rule: percentile", "uncertainty:\n  rule: percentil");
        let err = Profile::parse(&text, "p.yaml").expect_err("three mistakes");
        let fields: Vec<&str> = err.items.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["origins.fossil.counts_as", "issues[1]", "uncertainty.rule"], "{err}");
        let line = text.lines().position(|l| l.contains("reductoin")).expect("the typo") + 1;
        assert_eq!(err.items[0].loc.line as usize, line);
        assert_eq!(err.items[0].suggestion.as_deref(), Some("reduction"));
    }

    #[test]
    fn a_figure_is_a_value_with_its_source_or_left_to_the_user_never_both() {
        let base = shipped("k-ets-offset");
        let both = base.replace(
            "  leakage: { user: \"no mineralisation methodology with a leakage rule was found\" }",
            "  leakage: { user: \"x\", value: 1 %, source: \"y\" }",
        );
        let err = Profile::parse(&both, "p.yaml").expect_err("both");
        assert!(err.to_string().contains("not both"), "{err}");
        let unsourced = base.replace(
            "  leakage: { user: \"no mineralisation methodology with a leakage rule was found\" }",
            "  leakage: { value: 1 % }",
        );
        let err = Profile::parse(&unsourced, "p.yaml").expect_err("no source");
        assert_eq!(err.items[0].field, "figures.leakage.source", "{err}");
        let given = base.replace(
            "  leakage: { user: \"no mineralisation methodology with a leakage rule was found\" }",
            "  leakage: { value: 2 %, source: \"s\" }",
        );
        let p = Profile::parse(&given, "p.yaml").unwrap_or_else(|d| panic!("{d}"));
        assert_eq!(p.figure("leakage").map(|d| &d.figure), Some(&Figure::Given { value: 0.02, source: "s".into() }));
        let wrong_unit = given.replace("value: 2 %", "value: 2 kg");
        let err = Profile::parse(&wrong_unit, "p.yaml").expect_err("a mass is not a share");
        assert_eq!(err.items[0].field, "figures.leakage.value", "{err}");
    }

    #[test]
    fn a_percentile_outside_0_to_50_is_refused() {
        let with = |value: &str| -> String {
            let lines = shipped("isometric-mineralization").lines().map(|l| {
                if l.starts_with("  percentile:") {
                    format!("  percentile: {{ value: {value}, source: \"x\" }}")
                } else {
                    l.into()
                }
            });
            lines.collect::<Vec<_>>().join("\n")
        };
        let err = Profile::parse(&with("95"), "p.yaml").expect_err("refused");
        assert_eq!(err.items.len(), 1, "{err}");
        assert_eq!(err.items[0].field, "uncertainty.percentile", "{err}");
        let p = Profile::parse(&with("5"), "p.yaml").unwrap_or_else(|d| panic!("{d}"));
        assert!(matches!(
            p.uncertainty,
            UncertaintyRule::Percentile(Declared { figure: Figure::Given { value: 5.0, .. }, .. })
        ));
    }
}
