//! SARIF 2.1.0 logs (CodeQL, Semgrep, Trivy's and most static analysers' output), read one
//! result at a time.
//!
//! The log is an object with `version` (which must be "2.1.0") and `runs`; each run has its
//! tool's rules (`tool.driver.rules`) and its `results`. A result becomes a [`Finding`] and
//! goes to the sink before the next one is read; neither the results nor the log are held.
//!
//! The rules of the current run are kept, because a result usually names its rule only by id
//! or index and the rule holds the title, the tags and the severity. They are bounded: at most
//! `max_list` rules, their texts cut (titles to 200 characters, the rest to
//! [`EVIDENCE_CHARS`]) and all of them to [`RULES_TEXT_BYTES`]. SARIF writers put `tool`
//! before `results`; when a run has them the other way round, each result stands on what it
//! carries itself (an index then names no rule and is refused if there is no `ruleId`).
//!
//! A result becomes a finding as follows:
//! - `rule_id` is `ruleId`, else `rule.id`, else the id of the rule at `ruleIndex` (or
//!   `rule.index`); a result with none of them is refused;
//! - `title` is the rule's `shortDescription`, else its `name`, else the message (cut to 200
//!   characters), else the rule id;
//! - `description` is the message: its `text`, or the rule's `messageStrings` entry named by its
//!   `id`, with `{0}`-style placeholders replaced by its `arguments`; else the message id, else
//!   the rule's `fullDescription`;
//! - `solution` is the rule's `help` text;
//! - `severity` comes from `security-severity` (result's, else rule's properties; a CVSS-like
//!   score, as GitHub reads it) when there is one, else from the level: the result's `level`,
//!   else the rule's `defaultConfiguration.level`, else its `problem.severity` (CodeQL), else
//!   "warning" as the specification says; error → high, warning → medium, note → low,
//!   none → none. `score` is the `security-severity`;
//! - `cwes` come from the tags (rule's and result's) shaped like `external/cwe/cwe-079` or
//!   `CWE-79`; `cves` holds the rule id when it is a CVE (scanners of packages write SARIF too);
//! - `target` is the first location's `artifactLocation.uri` as written (relative to the
//!   source root, so stable from one checkout to the next), else `analysisTarget.uri`;
//!   `location` is "uri:startLine"; `evidence` is the region's snippet, else the context
//!   region's, cut to [`EVIDENCE_CHARS`]; `discriminator` is
//!   `partialFingerprints.primaryLocationLineHash`, which survives lines moving up or down.
//!
//! Only results whose `kind` is "fail" (the default) are findings; "pass", "open", "review",
//! "notApplicable" and "informational" ones are read and dropped. Suppressed results and
//! `baselineState` are not looked at: every failing result is handed over.
//!
//! `hosts` in the summary counts the distinct `target`s of the findings handed over (hashed, as
//! in the Trivy reader).
//!
//! Not read: rules of tool extensions (`tool.extensions`, `rule.toolComponent`), artifact
//! locations given only by index into `run.artifacts`, `uriBaseId` resolution, and the driver's
//! `globalMessageStrings`.

use std::collections::HashMap;
use std::fmt;
use std::io::BufRead;

use rempart_domain::cvss::Severity;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::guard::JsonGuard;
use super::trivy::{json_fault, skip_bom, Targets};
use super::{
    cut, cve_id, push_unique, Emitter, Finding, ReadSummary, ScanError, ScanFormat, ScanLimits,
    EVIDENCE_CHARS,
};

/// Bytes of text the rules of one run may keep (ids, titles, descriptions, help, message
/// strings, after cutting). The 149 rules of the shared CodeQL log keep some 23 kB, 160 bytes
/// a rule; a rule that fills its description and help to the cut keeps about 16 kB (more with
/// multibyte text), so several thousand such rules fit.
pub const RULES_TEXT_BYTES: usize = 64 * 1024 * 1024;

/// Characters of a title.
const TITLE_CHARS: usize = 200;

/// A CWE identifier as MITRE writes it (CWE-79), from "CWE-79", "cwe-079" or a SARIF tag
/// "external/cwe/cwe-079"; `None` for anything else ("NVD-CWE-Other" included).
pub(crate) fn cwe_id(text: &str) -> Option<String> {
    let last = text.trim().rsplit('/').next()?;
    let number = last
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("cwe-"))
        .and(last.get(4..))?;
    if number.is_empty() || number.len() > 10 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number = number.trim_start_matches('0');
    (!number.is_empty()).then(|| format!("CWE-{number}"))
}

/// Reads a SARIF 2.1.0 log, handing each failing result to `sink` as soon as it is read.
pub fn read<R: BufRead>(
    reader: R,
    limits: &ScanLimits,
    sink: &mut dyn FnMut(Finding) -> Result<(), String>,
) -> Result<ReadSummary, ScanError> {
    let reader = skip_bom(reader)?;
    let mut guard = JsonGuard::new(reader, limits.max_text_bytes);
    let mut state = State {
        limits: *limits,
        emitter: Emitter::new(sink, limits),
        targets: Targets::default(),
        rules: Rules::default(),
        failure: None,
    };
    let outcome = {
        let mut de = serde_json::Deserializer::from_reader(&mut guard);
        Log { st: &mut state }
            .deserialize(&mut de)
            .and_then(|()| de.end())
    };
    match outcome {
        Ok(()) => Ok(ReadSummary {
            findings: state.emitter.count,
            hosts: state.targets.len(),
            // A code scanner's scope is its whole format (see the store's import).
            scopes: Vec::new(),
        }),
        // Our own fault was stashed before serde was told to stop: it says more.
        Err(e) => Err(match state.failure.take() {
            Some(fault) => fault,
            None => json_fault(&e, guard.tripped, limits),
        }),
    }
}

/// What every visitor shares.
struct State<'a> {
    limits: ScanLimits,
    emitter: Emitter<'a>,
    targets: Targets,
    /// The current run's rules.
    rules: Rules,
    /// The fault that made a visitor stop serde, when it is ours.
    failure: Option<ScanError>,
}

impl State<'_> {
    /// Keeps the fault for [`read`] and gives serde an error that stops it.
    fn refuse<E: de::Error>(&mut self, fault: ScanError) -> E {
        let error = E::custom(fault.to_string());
        self.failure = Some(fault);
        error
    }
}

fn structure(place: impl Into<String>, message: impl Into<String>) -> ScanError {
    ScanError::Structure {
        place: place.into(),
        message: message.into(),
    }
}

fn non_empty(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.trim().is_empty())
}

/// One rule as kept for the results that name it.
#[derive(Default)]
struct Rule {
    id: String,
    title: Option<String>,
    full_description: Option<String>,
    help: Option<String>,
    level: Option<String>,
    security_severity: Option<f64>,
    cwes: Vec<String>,
    message_strings: Vec<(String, String)>,
}

impl Rule {
    fn text_bytes(&self) -> usize {
        self.id.len()
            + [&self.title, &self.full_description, &self.help]
                .iter()
                .map(|t| t.as_ref().map_or(0, String::len))
                .sum::<usize>()
            + self.cwes.iter().map(String::len).sum::<usize>()
            + self
                .message_strings
                .iter()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>()
    }

    fn message_string(&self, id: &str) -> Option<&str> {
        self.message_strings
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, v)| v.as_str())
    }
}

/// The current run's rules, by position and by id.
#[derive(Default)]
struct Rules {
    list: Vec<Rule>,
    by_id: HashMap<String, usize>,
    text_bytes: usize,
}

impl Rules {
    fn get(&self, index: Option<i64>, id: Option<&str>) -> Option<&Rule> {
        let by_index = index
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| self.list.get(i));
        by_index.or_else(|| {
            id.and_then(|id| self.by_id.get(id))
                .and_then(|i| self.list.get(*i))
        })
    }
}

/// The log: an object with `version` and `runs`.
struct Log<'x, 'a> {
    st: &'x mut State<'a>,
}

impl<'de> DeserializeSeed<'de> for Log<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

const ROOT: &str = "(racine)";
const ROOT_EXPECTED: &str = "objet SARIF (avec « version » et « runs ») attendu";

impl Log<'_, '_> {
    fn not_a_log<E: de::Error>(self) -> Result<(), E> {
        Err(self.st.refuse(structure(ROOT, ROOT_EXPECTED)))
    }
}

impl<'de> Visitor<'de> for Log<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(ROOT_EXPECTED)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let st = self.st;
        let mut version_seen = false;
        let mut runs_seen = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "version" => {
                    version_seen = true;
                    let version = map.next_value::<TextOrOther>()?.0;
                    if version.as_deref().map(str::trim) != Some("2.1.0") {
                        let shown = version.map_or_else(
                            || "non textuelle".to_owned(),
                            |v| format!("« {} »", cut(&v, 40)),
                        );
                        return Err(st.refuse(structure(
                            "version",
                            format!("version {shown} : seule la version 2.1.0 de SARIF est lue"),
                        )));
                    }
                }
                "runs" => {
                    runs_seen = map.next_value_seed(Runs { st: &mut *st })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !version_seen {
            return Err(st.refuse(structure(
                "version",
                "version absente : SARIF 2.1.0 attendu",
            )));
        }
        if !runs_seen {
            return Err(st.refuse(structure("runs", "« runs » absent ou nul")));
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        self.not_a_log()
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.not_a_log()
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.not_a_log()
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.not_a_log()
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.not_a_log()
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.not_a_log()
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.not_a_log()
    }
}

/// A string, or `None` for any other value (skipped unread).
struct TextOrOther(Option<String>);

impl<'de> Deserialize<'de> for TextOrOther {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextOrOtherVisitor)
    }
}

struct TextOrOtherVisitor;

impl<'de> Visitor<'de> for TextOrOtherVisitor {
    type Value = TextOrOther;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("une valeur JSON")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<TextOrOther, E> {
        Ok(TextOrOther(Some(v.to_owned())))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<TextOrOther, E> {
        Ok(TextOrOther(None))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<TextOrOther, E> {
        Ok(TextOrOther(None))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<TextOrOther, E> {
        Ok(TextOrOther(None))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<TextOrOther, E> {
        Ok(TextOrOther(None))
    }
    fn visit_unit<E: de::Error>(self) -> Result<TextOrOther, E> {
        Ok(TextOrOther(None))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TextOrOther, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(TextOrOther(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TextOrOther, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(TextOrOther(None))
    }
}

/// A `security-severity`: a number written as a string (as GitHub specifies) or as a number;
/// anything else, or out of 0–10, is no score.
struct LooseScore(Option<f64>);

impl<'de> Deserialize<'de> for LooseScore {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LooseScoreVisitor)
    }
}

struct LooseScoreVisitor;

fn score(value: f64) -> LooseScore {
    LooseScore(Some(value).filter(|s| s.is_finite() && (0.0..=10.0).contains(s)))
}

impl<'de> Visitor<'de> for LooseScoreVisitor {
    type Value = LooseScore;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("un score (nombre, éventuellement écrit en texte)")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<LooseScore, E> {
        Ok(v.trim().parse().map_or(LooseScore(None), score))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<LooseScore, E> {
        Ok(score(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<LooseScore, E> {
        Ok(score(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<LooseScore, E> {
        Ok(score(v as f64))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<LooseScore, E> {
        Ok(LooseScore(None))
    }
    fn visit_unit<E: de::Error>(self) -> Result<LooseScore, E> {
        Ok(LooseScore(None))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<LooseScore, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(LooseScore(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LooseScore, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(LooseScore(None))
    }
}

/// `runs`: an array, one run at a time. Its value says whether there were runs to read
/// (`null` is a log whose tool could not run).
struct Runs<'x, 'a> {
    st: &'x mut State<'a>,
}

impl<'de> DeserializeSeed<'de> for Runs<'_, '_> {
    type Value = bool;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Runs<'_, '_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("un tableau « runs »")
    }

    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        let mut run = 0;
        while seq
            .next_element_seed(Run {
                st: &mut *self.st,
                run,
            })?
            .is_some()
        {
            run += 1;
        }
        Ok(true)
    }
}

/// One run: its rules, then its results.
struct Run<'x, 'a> {
    st: &'x mut State<'a>,
    run: usize,
}

impl<'de> DeserializeSeed<'de> for Run<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Run<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("un « run » SARIF (objet)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let st = self.st;
        // A result never borrows a rule of another run.
        st.rules = Rules::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "tool" => map.next_value_seed(Nested {
                    st: &mut *st,
                    run: self.run,
                    level: Level::Tool,
                })?,
                "results" => map.next_value_seed(Results {
                    st: &mut *st,
                    run: self.run,
                })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// The way down to the rules: `tool`, then `driver`.
#[derive(Clone, Copy)]
enum Level {
    Tool,
    Driver,
}

struct Nested<'x, 'a> {
    st: &'x mut State<'a>,
    run: usize,
    level: Level,
}

impl<'de> DeserializeSeed<'de> for Nested<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Nested<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.level {
            Level::Tool => f.write_str("un objet « tool »"),
            Level::Driver => f.write_str("un objet « driver »"),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match (self.level, key.as_str()) {
                (Level::Tool, "driver") => map.next_value_seed(Nested {
                    st: &mut *self.st,
                    run: self.run,
                    level: Level::Driver,
                })?,
                (Level::Driver, "rules") => map.next_value_seed(RuleList {
                    st: &mut *self.st,
                    run: self.run,
                })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// `tool.driver.rules`, kept within `max_list` rules and [`RULES_TEXT_BYTES`].
struct RuleList<'x, 'a> {
    st: &'x mut State<'a>,
    run: usize,
}

impl<'de> DeserializeSeed<'de> for RuleList<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RuleList<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("un tableau « rules »")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let st = self.st;
        st.rules = Rules::default();
        loop {
            let index = st.rules.list.len();
            let place = format!("runs[{}].tool.driver.rules[{index}]", self.run);
            let Some(rule) = seq.next_element_seed(RuleSeed {
                st: &mut *st,
                place: &place,
            })?
            else {
                return Ok(());
            };
            if index >= st.limits.max_list {
                let what = format!("runs[{}].tool.driver.rules", self.run);
                let limit = st.limits.max_list;
                return Err(st.refuse(ScanError::ListTooLong { what, limit }));
            }
            st.rules.text_bytes += rule.text_bytes();
            if st.rules.text_bytes > RULES_TEXT_BYTES {
                return Err(st.refuse(structure(
                    place,
                    format!(
                        "les règles de l'outil dépassent {} Mio de texte",
                        RULES_TEXT_BYTES / (1024 * 1024)
                    ),
                )));
            }
            // The first rule of an id wins, as the index would give it.
            st.rules.by_id.entry(rule.id.clone()).or_insert(index);
            st.rules.list.push(rule);
        }
    }
}

#[derive(Deserialize)]
struct MultiformatText {
    text: Option<String>,
}

#[derive(Deserialize)]
struct Configuration {
    level: Option<String>,
}

struct RuleSeed<'x, 'a, 'p> {
    st: &'x mut State<'a>,
    place: &'p str,
}

impl<'de> DeserializeSeed<'de> for RuleSeed<'_, '_, '_> {
    type Value = Rule;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Rule, D::Error> {
        d.deserialize_map(self)
    }
}

fn text_of(value: Option<MultiformatText>, chars: usize) -> Option<String> {
    non_empty(value.and_then(|m| m.text)).map(|t| cut(&t, chars))
}

impl<'de> Visitor<'de> for RuleSeed<'_, '_, '_> {
    type Value = Rule;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("une règle SARIF (objet)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Rule, A::Error> {
        let mut rule = Rule::default();
        let mut name = None;
        let mut short = None;
        let mut problem_severity = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "id" => rule.id = map.next_value::<Option<String>>()?.unwrap_or_default(),
                "name" => name = non_empty(map.next_value()?),
                "shortDescription" => short = text_of(map.next_value()?, TITLE_CHARS),
                "fullDescription" => {
                    rule.full_description = text_of(map.next_value()?, EVIDENCE_CHARS)
                }
                "help" => rule.help = text_of(map.next_value()?, EVIDENCE_CHARS),
                "defaultConfiguration" => {
                    rule.level = map
                        .next_value::<Option<Configuration>>()?
                        .and_then(|c| c.level)
                }
                "properties" => map.next_value_seed(Properties {
                    st: &mut *self.st,
                    place: self.place,
                    cwes: &mut rule.cwes,
                    security_severity: &mut rule.security_severity,
                    problem_severity: Some(&mut problem_severity),
                })?,
                "messageStrings" => map.next_value_seed(MessageStrings {
                    st: &mut *self.st,
                    place: self.place,
                    into: &mut rule.message_strings,
                })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        rule.title = short.or_else(|| name.map(|n| cut(&n, TITLE_CHARS)));
        // CodeQL's own word for the level, when the configuration gives none.
        if rule.level.is_none() {
            rule.level = problem_severity.map(|p| match p.as_str() {
                "recommendation" => "note".to_owned(),
                _ => p,
            });
        }
        Ok(rule)
    }
}

/// A property bag: `security-severity`, `tags` (for CWEs) and, on a rule, `problem.severity`.
struct Properties<'x, 'a, 'v> {
    st: &'x mut State<'a>,
    place: &'v str,
    cwes: &'v mut Vec<String>,
    security_severity: &'v mut Option<f64>,
    problem_severity: Option<&'v mut Option<String>>,
}

impl<'de> DeserializeSeed<'de> for Properties<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Properties<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("un objet « properties »")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "security-severity" => {
                    if let Some(s) = map.next_value::<LooseScore>()?.0 {
                        *self.security_severity = Some(s);
                    }
                }
                "tags" => map.next_value_seed(Tags {
                    st: &mut *self.st,
                    place: self.place,
                    cwes: &mut *self.cwes,
                })?,
                "problem.severity" if self.problem_severity.is_some() => {
                    let value = map.next_value::<TextOrOther>()?.0;
                    if let Some(slot) = self.problem_severity.as_deref_mut() {
                        *slot = non_empty(value).map(|v| v.trim().to_ascii_lowercase());
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// `tags`: only the CWEs are kept, up to `max_list`; other tags and non-strings are skipped.
struct Tags<'x, 'a, 'v> {
    st: &'x mut State<'a>,
    place: &'v str,
    cwes: &'v mut Vec<String>,
}

impl<'de> DeserializeSeed<'de> for Tags<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Tags<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("un tableau « tags »")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(tag) = seq.next_element::<TextOrOther>()? {
            if let Some(cwe) = tag.0.as_deref().and_then(cwe_id) {
                let what = format!("{}.properties.tags", self.place);
                if let Err(fault) = push_unique(self.cwes, cwe, &what, &self.st.limits) {
                    return Err(self.st.refuse(fault));
                }
            }
        }
        Ok(())
    }
}

/// A rule's `messageStrings`: id → text, up to `max_list` entries.
struct MessageStrings<'x, 'a, 'v> {
    st: &'x mut State<'a>,
    place: &'v str,
    into: &'v mut Vec<(String, String)>,
}

impl<'de> DeserializeSeed<'de> for MessageStrings<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for MessageStrings<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("un objet « messageStrings »")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(id) = map.next_key::<String>()? {
            let Some(text) = text_of(map.next_value()?, EVIDENCE_CHARS) else {
                continue;
            };
            if self.into.len() >= self.st.limits.max_list {
                let what = format!("{}.messageStrings", self.place);
                let limit = self.st.limits.max_list;
                return Err(self.st.refuse(ScanError::ListTooLong { what, limit }));
            }
            self.into.push((id, text));
        }
        Ok(())
    }
}

/// `results`: an array (or null), one result at a time.
struct Results<'x, 'a> {
    st: &'x mut State<'a>,
    run: usize,
}

impl<'de> DeserializeSeed<'de> for Results<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Results<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("un tableau « results »")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        loop {
            let place = format!("runs[{}].results[{index}]", self.run);
            let seed = ResultSeed {
                st: &mut *self.st,
                place,
            };
            if seq.next_element_seed(seed)?.is_none() {
                return Ok(());
            }
            index += 1;
        }
    }
}

#[derive(Deserialize)]
struct RuleReference {
    id: Option<String>,
    index: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: Option<PhysicalLocation>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: Option<ArtifactLocation>,
    region: Option<Region>,
    context_region: Option<Region>,
}

#[derive(Deserialize)]
struct ArtifactLocation {
    uri: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: Option<i64>,
    snippet: Option<MultiformatText>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PartialFingerprints {
    primary_location_line_hash: Option<String>,
}

/// A result's message: its text or the id of one of the rule's message strings, and the
/// arguments of their placeholders.
#[derive(Default)]
struct Message {
    text: Option<String>,
    id: Option<String>,
    arguments: Vec<String>,
}

struct MessageSeed<'x, 'a, 'v> {
    st: &'x mut State<'a>,
    place: &'v str,
}

impl<'de> DeserializeSeed<'de> for MessageSeed<'_, '_, '_> {
    type Value = Message;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Message, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for MessageSeed<'_, '_, '_> {
    type Value = Message;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("un objet « message »")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Message, A::Error> {
        let mut message = Message::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "text" => message.text = map.next_value()?,
                "id" => message.id = map.next_value()?,
                "arguments" => {
                    message.arguments = map.next_value_seed(Arguments {
                        st: &mut *self.st,
                        place: self.place,
                    })?
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(message)
    }
}

/// A message's `arguments`: up to `max_list` of them, and no more than `max_text_bytes` in all
/// (the rest are dropped: a placeholder without its argument stays as written).
struct Arguments<'x, 'a, 'v> {
    st: &'x mut State<'a>,
    place: &'v str,
}

impl<'de> DeserializeSeed<'de> for Arguments<'_, '_, '_> {
    type Value = Vec<String>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Vec<String>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Arguments<'_, '_, '_> {
    type Value = Vec<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("un tableau « arguments »")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Vec<String>, E> {
        Ok(Vec::new())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
        let mut arguments = Vec::new();
        let mut bytes = 0;
        let mut count = 0;
        while let Some(argument) = seq.next_element::<TextOrOther>()? {
            count += 1;
            if count > self.st.limits.max_list {
                let what = format!("{}.message.arguments", self.place);
                let limit = self.st.limits.max_list;
                return Err(self.st.refuse(ScanError::ListTooLong { what, limit }));
            }
            let argument = argument.0.unwrap_or_default();
            bytes += argument.len();
            if bytes <= self.st.limits.max_text_bytes {
                arguments.push(argument);
            }
        }
        Ok(arguments)
    }
}

/// Replaces `{0}`-style placeholders with their arguments (`{{` and `}}` stand for braces),
/// within `max_bytes`: a message is no longer than the longest text the file could hold.
fn fill_placeholders(template: &str, arguments: &[String], max_bytes: usize) -> String {
    let mut out = String::with_capacity(template.len().min(max_bytes));
    let mut rest = template;
    while out.len() <= max_bytes {
        let Some(at) = rest.find(['{', '}']) else {
            out.push_str(rest);
            break;
        };
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        let digits = tail[1..].bytes().take_while(u8::is_ascii_digit).count();
        let closed = tail.starts_with('{') && digits > 0 && tail[1 + digits..].starts_with('}');
        if !closed {
            out.push_str(&tail[..1]);
            rest = &tail[1..];
            continue;
        }
        let argument = tail[1..1 + digits]
            .parse::<usize>()
            .ok()
            .and_then(|n| arguments.get(n));
        match argument {
            Some(argument) => out.push_str(argument),
            None => out.push_str(&tail[..digits + 2]),
        }
        rest = &tail[digits + 2..];
    }
    if out.len() > max_bytes {
        let mut end = max_bytes;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
        out.push('…');
    }
    out
}

struct ResultSeed<'x, 'a> {
    st: &'x mut State<'a>,
    place: String,
}

impl<'de> DeserializeSeed<'de> for ResultSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

fn level_severity(level: &str) -> Severity {
    match level.trim() {
        "error" => Severity::High,
        "note" => Severity::Low,
        "none" => Severity::None,
        // "warning", and what the specification does not name, read as its default.
        _ => Severity::Medium,
    }
}

impl<'de> Visitor<'de> for ResultSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("un résultat SARIF (objet)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let st = self.st;
        let place = self.place;
        let mut rule_id: Option<String> = None;
        let mut rule_index: Option<i64> = None;
        let mut reference: Option<RuleReference> = None;
        let mut kind: Option<String> = None;
        let mut level: Option<String> = None;
        let mut message = Message::default();
        let mut location: Option<Location> = None;
        let mut analysis_target: Option<ArtifactLocation> = None;
        let mut fingerprints: Option<PartialFingerprints> = None;
        let mut security_severity = None;
        let mut cwes = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "ruleId" => rule_id = map.next_value()?,
                "ruleIndex" => rule_index = map.next_value()?,
                "rule" => reference = map.next_value()?,
                "kind" => kind = map.next_value()?,
                "level" => level = map.next_value()?,
                "message" => {
                    message = map.next_value_seed(MessageSeed {
                        st: &mut *st,
                        place: &place,
                    })?
                }
                "locations" => location = map.next_value_seed(FirstLocation)?,
                "analysisTarget" => analysis_target = map.next_value()?,
                "partialFingerprints" => fingerprints = map.next_value()?,
                "properties" => map.next_value_seed(Properties {
                    st: &mut *st,
                    place: &place,
                    cwes: &mut cwes,
                    security_severity: &mut security_severity,
                    problem_severity: None,
                })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if kind.as_deref().is_some_and(|k| k.trim() != "fail") {
            return Ok(());
        }

        let (reference_id, reference_index) = match reference {
            Some(r) => (r.id, r.index),
            None => (None, None),
        };
        let rule_id = non_empty(rule_id).or(non_empty(reference_id));
        // -1 is the specification's "no index".
        let index = rule_index.or(reference_index).filter(|i| *i >= 0);
        let rule = st.rules.get(index, rule_id.as_deref());
        let Some(rule_id) =
            rule_id.or_else(|| rule.map(|r| r.id.clone()).filter(|i| !i.is_empty()))
        else {
            let message = match index {
                Some(i) => format!(
                    "identifiant de règle absent, et la règle n° {i} est inconnue \
                     (tool.driver.rules absent, incomplet ou placé après les résultats)"
                ),
                None => {
                    "identifiant de règle absent (ni ruleId, ni rule.id, ni ruleIndex)".to_owned()
                }
            };
            return Err(st.refuse(structure(place, message)));
        };

        let max_bytes = st.limits.max_text_bytes;
        let text = non_empty(message.text).map(|t| {
            if message.arguments.is_empty() {
                t
            } else {
                fill_placeholders(&t, &message.arguments, max_bytes)
            }
        });
        let description = text
            .or_else(|| {
                let id = message.id.as_deref()?;
                let template = rule?.message_string(id)?;
                Some(fill_placeholders(template, &message.arguments, max_bytes))
            })
            .or(non_empty(message.id))
            .or_else(|| rule.and_then(|r| r.full_description.clone()));

        let title = rule
            .and_then(|r| r.title.clone())
            .or_else(|| description.as_deref().map(|d| cut(d, TITLE_CHARS)))
            .unwrap_or_else(|| rule_id.clone());
        let mut finding = Finding::new(ScanFormat::Sarif, rule_id, title);
        finding.description = description;
        finding.solution = rule.and_then(|r| r.help.clone());

        let security_severity =
            security_severity.or_else(|| rule.and_then(|r| r.security_severity));
        finding.score = security_severity;
        finding.severity = match security_severity {
            Some(score) => Severity::from_score(score),
            None => level_severity(
                level
                    .as_deref()
                    .or_else(|| rule.and_then(|r| r.level.as_deref()))
                    .unwrap_or("warning"),
            ),
        };

        let limits = st.limits;
        let mut merge = || -> Result<(), ScanError> {
            for cwe in rule.iter().flat_map(|r| &r.cwes) {
                push_unique(&mut cwes, cwe.clone(), &format!("{place}.cwes"), &limits)?;
            }
            Ok(())
        };
        if let Err(fault) = merge() {
            return Err(st.refuse(fault));
        }
        finding.cwes = cwes;
        finding.cves.extend(cve_id(&finding.rule_id));

        let physical = location.and_then(|l| l.physical_location);
        let (artifact, region, context) = match physical {
            Some(p) => (p.artifact_location, p.region, p.context_region),
            None => (None, None, None),
        };
        let uri = non_empty(artifact.and_then(|a| a.uri));
        let line = region
            .as_ref()
            .and_then(|r| r.start_line)
            .filter(|l| *l > 0);
        finding.location = uri.as_ref().map(|u| match line {
            Some(l) => format!("{u}:{l}"),
            None => u.clone(),
        });
        let snippet = |r: Option<Region>| non_empty(r?.snippet?.text);
        finding.evidence = snippet(region)
            .or_else(|| snippet(context))
            .map(|t| cut(&t, EVIDENCE_CHARS));
        finding.target = uri.or_else(|| non_empty(analysis_target.and_then(|a| a.uri)));
        finding.discriminator = non_empty(fingerprints.and_then(|f| f.primary_location_line_hash));

        let target = finding.target.clone();
        if let Err(fault) = st.emitter.emit(finding) {
            return Err(st.refuse(fault));
        }
        if let Some(target) = target {
            if let Err(fault) = st.targets.insert(&target, &limits) {
                return Err(st.refuse(fault));
            }
        }
        Ok(())
    }
}

/// `locations`: the first is read, the others skipped unread.
struct FirstLocation;

impl<'de> DeserializeSeed<'de> for FirstLocation {
    type Value = Option<Location>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<Location>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FirstLocation {
    type Value = Option<Location>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("un tableau « locations »")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<Location>, E> {
        Ok(None)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<Location>, A::Error> {
        let first = seq.next_element::<Location>()?;
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::collections::HashSet;

    use proptest::prelude::*;

    const SCANS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/scans/");

    fn shared(file: &str) -> Vec<u8> {
        std::fs::read(format!("{SCANS}{file}")).unwrap()
    }

    fn read_all(
        bytes: &[u8],
        limits: &ScanLimits,
    ) -> Result<(ReadSummary, Vec<Finding>), ScanError> {
        let mut findings = Vec::new();
        let summary = read(bytes, limits, &mut |f| {
            findings.push(f);
            Ok(())
        })?;
        Ok((summary, findings))
    }

    fn distinct<'f>(items: impl Iterator<Item = &'f String>) -> usize {
        items.collect::<HashSet<_>>().len()
    }

    #[test]
    fn cwe_ids_are_read_from_tags_and_ids() {
        assert_eq!(cwe_id("external/cwe/cwe-079"), Some("CWE-79".into()));
        assert_eq!(cwe_id("CWE-347"), Some("CWE-347".into()));
        assert_eq!(cwe_id(" cwe-1321 "), Some("CWE-1321".into()));
        assert_eq!(cwe_id("NVD-CWE-Other"), None);
        assert_eq!(cwe_id("NVD-CWE-noinfo"), None);
        assert_eq!(cwe_id("external/owasp/owasp-a1"), None);
        assert_eq!(cwe_id("CWE-"), None);
        assert_eq!(cwe_id("CWE-000"), None);
        assert_eq!(cwe_id("cwé-1"), None);
        assert_eq!(cwe_id("security"), None);
    }

    #[test]
    fn placeholders_are_filled_within_bounds() {
        let args = ["ptr".to_owned(), "0".to_owned()];
        assert_eq!(
            fill_placeholders(
                "Variable \"{0}\" declared [here]({1}), {{x}} {2} {",
                &args,
                1000
            ),
            "Variable \"ptr\" declared [here](0), {x} {2} {"
        );
        let long = fill_placeholders(&"{0}".repeat(1000), &["ééé".to_owned()], 100);
        assert!(long.len() <= 100 + '…'.len_utf8());
        assert!(long.ends_with('…'));
    }

    #[test]
    fn the_specification_s_example_is_read() {
        // Counted with python3 (json module), d = json.load(f):
        //   findings: sum(1 for run in d['runs'] for r in run.get('results', [])
        //                 if r.get('kind', 'fail') == 'fail')                          -> 1
        //   targets:  distinct runs[..].results[..].locations[0].physicalLocation
        //             .artifactLocation.uri (else analysisTarget.uri)                  -> 1
        //   CWEs: the rule has no tags                                                 -> 0
        let (summary, findings) =
            read_all(&shared("sarif/appendix_k.sarif"), &ScanLimits::default()).unwrap();
        assert_eq!(
            summary,
            ReadSummary {
                findings: 1,
                hosts: 1,
                scopes: Vec::new()
            }
        );
        let f = &findings[0];
        assert_eq!(f.rule_id, "C2001");
        assert_eq!(f.title, "A variable was used without being initialized.");
        // The message is only an id and arguments: the rule's message string is filled.
        assert_eq!(
            f.description.as_deref(),
            Some("Variable \"ptr\" was used without being initialized. It was declared [here](0).")
        );
        assert_eq!(f.severity, Severity::High);
        assert_eq!(f.score, None);
        assert_eq!(f.target.as_deref(), Some("collections/list.h"));
        assert_eq!(f.location.as_deref(), Some("collections/list.h:15"));
        assert_eq!(
            f.evidence.as_deref(),
            Some("add_core(ptr, offset, val);\n    return;")
        );
        assert_eq!(f.discriminator, None);
        assert!(f.cwes.is_empty() && f.cves.is_empty());
    }

    #[test]
    fn codeql_s_output_is_read() {
        // Counted with python3 (json module), d = json.load(f):
        //   findings: sum(1 for run in d['runs'] for r in run['results']
        //                 if r.get('kind', 'fail') == 'fail')                           -> 72
        //   targets:  len({r['locations'][0]['physicalLocation']['artifactLocation']['uri']
        //                  for r in run['results']})                                     -> 37
        //   CWEs:     len({'CWE-' + t.split('-')[-1].lstrip('0') for r in results
        //                  for t in rules[r['ruleIndex']]['properties']['tags']
        //                  if t.startswith('external/cwe/')})                            -> 15
        //   levels: no result has one; Counter(rules[r['ruleIndex']]['defaultConfiguration']
        //           ['level'] for r in results) -> note 57, error 11, warning 4
        let (summary, findings) =
            read_all(&shared("sarif/codeQL-output.sarif"), &ScanLimits::default()).unwrap();
        assert_eq!(
            summary,
            ReadSummary {
                findings: 72,
                hosts: 37,
                scopes: Vec::new()
            }
        );
        assert_eq!(findings.len(), 72);
        assert_eq!(distinct(findings.iter().flat_map(|f| &f.cwes)), 15);
        assert_eq!(
            distinct(findings.iter().filter_map(|f| f.target.as_ref())),
            37
        );
        assert!(findings.iter().all(|f| f.discriminator.is_some()));
        let count = |s| findings.iter().filter(|f| f.severity == s).count();
        assert_eq!(
            [Severity::Low, Severity::High, Severity::Medium].map(count),
            [57, 11, 4]
        );

        let f = &findings[59];
        assert_eq!(f.rule_id, "py/sql-injection");
        assert_eq!(f.title, "SQL query built from user-controlled sources");
        assert!(f
            .description
            .as_deref()
            .unwrap()
            .starts_with("This SQL query depends on [a user-provided value](1).\n"));
        assert_eq!(f.severity, Severity::High);
        assert_eq!(f.cwes, ["CWE-89"]);
        assert_eq!(f.target.as_deref(), Some("bad/libuser.py"));
        assert_eq!(f.location.as_deref(), Some("bad/libuser.py:12"));
        assert_eq!(f.discriminator.as_deref(), Some("87f19d40ee7aefaf:1"));
        assert!(f
            .evidence
            .as_deref()
            .unwrap()
            .contains("c.execute(\"SELECT * FROM users"));
    }

    #[test]
    fn severity_comes_from_the_score_then_the_levels() {
        let json = r#"{"runs": [{
          "results": [{"ruleId": "early", "message": {"text": "before the rules"}}],
          "tool": {"driver": {"name": "x", "rules": [
            {"id": "R1", "shortDescription": {"text": "Rule one"},
             "properties": {"security-severity": "9.1", "tags": ["external/cwe/cwe-022", "CWE-22", "security"]}},
            {"id": "R2", "name": "rule-two", "defaultConfiguration": {"level": "note"},
             "help": {"text": "Do this instead."}},
            {"id": "R3", "properties": {"problem.severity": "recommendation", "security-severity": "bad"}}
          ]}}}, {
          "tool": {"driver": {"rules": []}},
          "results": [
            {"rule": {"id": "CVE-2021-44228"}, "level": "none", "message": {"text": "x"},
             "analysisTarget": {"uri": "pom.xml"}}
          ]}],
          "version": "2.1.0"}"#;
        let (summary, findings) = read_all(json.as_bytes(), &ScanLimits::default()).unwrap();
        assert_eq!(
            summary,
            ReadSummary {
                findings: 2,
                hosts: 1,
                scopes: Vec::new()
            }
        );
        // Before the rules: the result stands alone, level by default.
        assert_eq!(findings[0].rule_id, "early");
        assert_eq!(findings[0].title, "before the rules");
        assert_eq!(findings[0].severity, Severity::Medium);
        assert_eq!(findings[1].rule_id, "CVE-2021-44228");
        assert_eq!(findings[1].cves, ["CVE-2021-44228"]);
        assert_eq!(findings[1].severity, Severity::None);
        assert_eq!(findings[1].target.as_deref(), Some("pom.xml"));

        let json = r#"{"version": "2.1.0", "runs": [{
          "tool": {"driver": {"name": "x", "rules": [
            {"id": "R1", "shortDescription": {"text": "Rule one"},
             "properties": {"security-severity": "9.1", "tags": ["external/cwe/cwe-022", "CWE-22", "security"]}},
            {"id": "R2", "name": "rule-two", "defaultConfiguration": {"level": "note"},
             "help": {"text": "Do this instead."}},
            {"id": "R3", "properties": {"problem.severity": "recommendation", "security-severity": "bad"}}
          ]}},
          "results": [
            {"ruleIndex": 0, "level": "note", "message": {"text": "a"}, "properties": {"tags": ["cwe-23"]}},
            {"ruleId": "R2", "message": {"text": "b"}, "kind": "fail"},
            {"ruleId": "R2", "level": "error", "message": {"text": "c"}},
            {"rule": {"index": 2}, "message": {"text": "d"}},
            {"ruleId": "R3", "kind": "pass", "message": {"text": "e"}},
            {"ruleId": "R3", "kind": "notApplicable", "message": {"text": "f"}},
            {"ruleId": "R1", "ruleIndex": -1, "message": {"text": "g"},
             "properties": {"security-severity": 2.5}}
          ]}]}"#;
        let (summary, findings) = read_all(json.as_bytes(), &ScanLimits::default()).unwrap();
        assert_eq!(
            summary,
            ReadSummary {
                findings: 5,
                hosts: 0,
                scopes: Vec::new()
            }
        );
        let r1 = &findings[0];
        assert_eq!((r1.rule_id.as_str(), r1.title.as_str()), ("R1", "Rule one"));
        assert_eq!((r1.severity, r1.score), (Severity::Critical, Some(9.1)));
        assert_eq!(r1.cwes, ["CWE-23", "CWE-22"]);
        assert_eq!(findings[1].title, "rule-two");
        assert_eq!(findings[1].severity, Severity::Low);
        assert_eq!(findings[1].solution.as_deref(), Some("Do this instead."));
        assert_eq!(findings[2].severity, Severity::High);
        assert_eq!(findings[3].rule_id, "R3");
        assert_eq!(findings[3].title, "d");
        assert_eq!(findings[3].severity, Severity::Low);
        assert_eq!(findings[3].score, None);
        assert_eq!(
            (findings[4].severity, findings[4].score),
            (Severity::Low, Some(2.5))
        );
    }

    #[test]
    fn the_fuzz_seed_is_a_log() {
        let seed = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fuzz/corpus/read_sarif/seed-small.sarif"
        );
        let (summary, findings) =
            read_all(&std::fs::read(seed).unwrap(), &ScanLimits::default()).unwrap();
        assert_eq!(
            summary,
            ReadSummary {
                findings: 2,
                hosts: 1,
                scopes: Vec::new()
            }
        );
        assert_eq!(
            (findings[0].severity, findings[0].score),
            (Severity::High, Some(8.8))
        );
        assert_eq!(
            findings[1].description.as_deref(),
            Some("Query built from request.args at line 7.")
        );
        assert_eq!(findings[1].target, None);
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let json = "\u{feff}{\"version\": \"2.1.0\", \"runs\": []}";
        let (summary, _) = read_all(json.as_bytes(), &ScanLimits::default()).unwrap();
        assert_eq!(summary, ReadSummary::default());
    }

    fn structure_place(json: &str) -> String {
        match read_all(json.as_bytes(), &ScanLimits::default()) {
            Err(ScanError::Structure { place, message }) => {
                assert!(!message.is_empty());
                place
            }
            other => panic!("{json}: {other:?}"),
        }
    }

    #[test]
    fn structural_faults_are_named_with_their_place() {
        assert_eq!(
            structure_place(r#"{"version": "2.0.0", "runs": []}"#),
            "version"
        );
        assert_eq!(
            structure_place(r#"{"runs": [], "version": 2.1}"#),
            "version"
        );
        assert_eq!(structure_place(r#"{"runs": []}"#), "version");
        assert_eq!(structure_place(r#"{"version": "2.1.0"}"#), "runs");
        assert_eq!(
            structure_place(r#"{"version": "2.1.0", "runs": null}"#),
            "runs"
        );
        assert_eq!(structure_place("[]"), "(racine)");
        assert_eq!(structure_place("42"), "(racine)");
        assert_eq!(
            structure_place(
                r#"{"version": "2.1.0", "runs": [{}, {"results": [
                    {"ruleId": "a", "message": {"text": "ok"}},
                    {"message": {"text": "which rule?"}}]}]}"#
            ),
            "runs[1].results[1]"
        );
        // An index into rules that are not there (yet).
        assert_eq!(
            structure_place(
                r#"{"version": "2.1.0", "runs": [{"results": [{"ruleIndex": 3, "message": {"text": "x"}}]}]}"#
            ),
            "runs[0].results[0]"
        );
        match read_all(br#"{"version": "1.0.0"}"#, &ScanLimits::default()) {
            Err(e @ ScanError::Structure { .. }) => {
                assert!(
                    e.to_string().starts_with("version : version « 1.0.0 »"),
                    "{e}"
                )
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_truncated_log_is_a_syntax_error_with_its_line() {
        let bytes = shared("sarif/codeQL-output.sarif");
        let half = &bytes[..bytes.len() / 2];
        let lines = half.iter().filter(|b| **b == b'\n').count() as u64;
        match read_all(half, &ScanLimits::default()) {
            Err(ScanError::Syntax { line, .. }) => assert_eq!(line, lines + 1),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_string_longer_than_the_limit_is_refused_where_it_begins() {
        let json = format!(
            "{{\"version\": \"2.1.0\", \"runs\": [{{\"results\": [\n  {{\"ruleId\": \"x\", \"message\": {{\"text\": \"{}\"}}}}]}}]}}",
            "y".repeat(2 * 1024 * 1024)
        );
        match read_all(json.as_bytes(), &ScanLimits::default()) {
            Err(ScanError::TextTooLong {
                line,
                column,
                limit,
            }) => {
                assert_eq!((line, column, limit), (2, 39, 1024 * 1024))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn deep_nesting_is_refused_without_overflowing_the_stack() {
        let limits = ScanLimits::default();
        let deep = "[".repeat(10_000);
        assert!(read_all(deep.as_bytes(), &limits).is_err());
        for inside in [
            format!("{{\"version\": \"2.1.0\", \"$schema\": {deep}"),
            format!("{{\"version\": \"2.1.0\", \"runs\": [{{\"results\": [{{\"codeFlows\": {deep}"),
            format!("{{\"version\": {deep}"),
        ] {
            assert!(
                matches!(
                    read_all(inside.as_bytes(), &limits),
                    Err(ScanError::Syntax { .. })
                ),
                "{}",
                &inside[..40]
            );
        }
    }

    #[test]
    fn the_sink_s_error_stops_the_reading() {
        let mut calls = 0;
        let outcome = read(
            &shared("sarif/codeQL-output.sarif")[..],
            &ScanLimits::default(),
            &mut |_| {
                calls += 1;
                if calls == 5 {
                    Err("base indisponible".to_owned())
                } else {
                    Ok(())
                }
            },
        );
        match outcome {
            Err(ScanError::Sink(message)) => assert_eq!(message, "base indisponible"),
            other => panic!("{other:?}"),
        }
        assert_eq!(calls, 5);
    }

    #[test]
    fn the_findings_rules_and_lists_are_capped() {
        let limits = ScanLimits {
            max_findings: 3,
            ..ScanLimits::default()
        };
        let mut calls = 0;
        let outcome = read(
            &shared("sarif/codeQL-output.sarif")[..],
            &limits,
            &mut |_| {
                calls += 1;
                Ok(())
            },
        );
        assert!(matches!(
            outcome,
            Err(ScanError::TooManyFindings { limit: 3 })
        ));
        assert_eq!(calls, 3);

        // 149 rules in CodeQL's run.
        let limits = ScanLimits {
            max_list: 100,
            ..ScanLimits::default()
        };
        match read_all(&shared("sarif/codeQL-output.sarif"), &limits) {
            Err(ScanError::ListTooLong { what, limit: 100 }) => {
                assert_eq!(what, "runs[0].tool.driver.rules")
            }
            other => panic!("{other:?}"),
        }

        let limits = ScanLimits {
            max_list: 2,
            ..ScanLimits::default()
        };
        let json = r#"{"version": "2.1.0", "runs": [{"results": [{"ruleId": "x",
            "properties": {"tags": ["CWE-1", "CWE-2", "cwe-01", "CWE-3"]}}]}]}"#;
        match read_all(json.as_bytes(), &limits) {
            Err(ScanError::ListTooLong { what, limit: 2 }) => {
                assert_eq!(what, "runs[0].results[0].properties.tags")
            }
            other => panic!("{other:?}"),
        }
    }

    fn check(bytes: &[u8], limits: &ScanLimits) {
        let mut count = 0;
        let mut targets = HashSet::new();
        let outcome = read(bytes, limits, &mut |f| {
            assert!(!f.rule_id.trim().is_empty());
            assert!(f.cwes.len() <= limits.max_list);
            assert!(f.title.chars().count() <= TITLE_CHARS + 1);
            targets.extend(f.target);
            count += 1;
            Ok(())
        });
        if let Ok(summary) = outcome {
            assert_eq!(summary.findings, count);
            assert_eq!(summary.hosts, targets.len());
            assert!(count <= limits.max_findings);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn any_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            check(&bytes, &ScanLimits::default());
        }

        #[test]
        fn damaged_logs_never_panic(
            cut_at in any::<prop::sample::Index>(),
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
            codeql in any::<bool>(),
        ) {
            let mut bytes = shared(if codeql {
                "sarif/codeQL-output.sarif"
            } else {
                "sarif/appendix_k.sarif"
            });
            bytes.truncate(cut_at.index(bytes.len() + 1));
            let len = bytes.len();
            for (at, value) in flips {
                if len > 0 {
                    bytes[at.index(len)] = value;
                }
            }
            let small = ScanLimits {
                max_text_bytes: 300,
                max_findings: 20,
                max_list: 3,
                ..ScanLimits::default()
            };
            check(&bytes, &small);
            check(&bytes, &ScanLimits::default());
        }

        #[test]
        fn any_placeholders_never_panic(template in "[{}0-9aé]{0,60}", arg in "[{}0-9é]{0,5}") {
            let out = fill_placeholders(&template, &[arg.clone(), arg], 40);
            prop_assert!(out.len() <= 40 + '…'.len_utf8());
        }
    }
}
