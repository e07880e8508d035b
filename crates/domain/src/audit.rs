//! The tamper-evident audit chain (AUD-01, AUD-02).
//!
//! Each entry's hash is SHA-256 over the previous entry's hash followed by the entry's
//! canonical form, so that altering, removing, inserting or reordering any entry breaks every
//! hash after it. The canonical form is a fixed sequence of length-prefixed fields: unambiguous
//! (no field can bleed into the next), independent of any JSON library's formatting, and cheap
//! enough to verify millions of entries a second. Storage keeps the entries; this module alone
//! decides what a valid chain is.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash that precedes the first entry.
pub const GENESIS: [u8; 32] = [0u8; 32];

/// The content of one entry, as hashed. `at_micros` is microseconds since the Unix epoch, UTC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at_micros: i64,
    pub actor_id: Option<i64>,
    pub actor_label: String,
    pub source: String,
    pub org_id: Option<i64>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// An entry's content borrowed as bytes, as a database row hands it over: the hash is defined
/// over these bytes, so a reader can check an entry without copying or decoding its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryBytes<'a> {
    pub seq: i64,
    pub at_micros: i64,
    pub actor_id: Option<i64>,
    pub actor_label: &'a [u8],
    pub source: &'a [u8],
    pub org_id: Option<i64>,
    pub action: &'a [u8],
    pub entity_type: &'a [u8],
    pub entity_id: &'a [u8],
    pub before: Option<&'a [u8]>,
    pub after: Option<&'a [u8]>,
}

fn put_field(hasher: &mut Sha256, bytes: &[u8]) {
    hasher.update((bytes.len() as u64).to_be_bytes());
    hasher.update(bytes);
}

fn put_optional_bytes(hasher: &mut Sha256, value: Option<&[u8]>) {
    match value {
        None => hasher.update([0u8]),
        Some(bytes) => {
            hasher.update([1u8]);
            put_field(hasher, bytes);
        }
    }
}

fn put_optional_int(hasher: &mut Sha256, value: Option<i64>) {
    match value {
        None => hasher.update([0u8]),
        Some(n) => {
            hasher.update([1u8]);
            hasher.update(n.to_be_bytes());
        }
    }
}

impl EntryBytes<'_> {
    /// The chained hash of this entry after `previous`.
    pub fn chain_hash(&self, previous: &[u8; 32]) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(b"rempart-audit-v1");
        hasher.update(previous);
        hasher.update(self.seq.to_be_bytes());
        hasher.update(self.at_micros.to_be_bytes());
        put_optional_int(&mut hasher, self.actor_id);
        put_field(&mut hasher, self.actor_label);
        put_field(&mut hasher, self.source);
        put_optional_int(&mut hasher, self.org_id);
        put_field(&mut hasher, self.action);
        put_field(&mut hasher, self.entity_type);
        put_field(&mut hasher, self.entity_id);
        put_optional_bytes(&mut hasher, self.before);
        put_optional_bytes(&mut hasher, self.after);
        hasher.finalize().into()
    }
}

impl AuditEntry {
    pub fn as_bytes(&self) -> EntryBytes<'_> {
        EntryBytes {
            seq: self.seq,
            at_micros: self.at_micros,
            actor_id: self.actor_id,
            actor_label: self.actor_label.as_bytes(),
            source: self.source.as_bytes(),
            org_id: self.org_id,
            action: self.action.as_bytes(),
            entity_type: self.entity_type.as_bytes(),
            entity_id: self.entity_id.as_bytes(),
            before: self.before.as_deref().map(str::as_bytes),
            after: self.after.as_deref().map(str::as_bytes),
        }
    }

    /// The chained hash of this entry after `previous`.
    pub fn chain_hash(&self, previous: &[u8; 32]) -> [u8; 32] {
        self.as_bytes().chain_hash(previous)
    }
}

/// Parses a hash written as 64 hexadecimal digits.
pub fn parse_hash(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(text, &mut out).ok()?;
    Some(out)
}

/// What is wrong with the first bad entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainFault {
    /// The stored hash does not match the entry's content: altered or inserted.
    HashMismatch,
    /// A sequence number is missing or out of order: removed or reordered.
    SequenceGap,
    /// The stored hash is not 64 hexadecimal digits.
    MalformedHash,
    /// The entry cannot be read as the schema says (a value of the wrong type).
    Unreadable,
    /// The chain does not contain an anchor exported earlier.
    AnchorMismatch,
}

impl ChainFault {
    pub fn code(self) -> &'static str {
        match self {
            ChainFault::HashMismatch => "hash_mismatch",
            ChainFault::SequenceGap => "sequence_gap",
            ChainFault::MalformedHash => "malformed_hash",
            ChainFault::Unreadable => "unreadable",
            ChainFault::AnchorMismatch => "anchor_mismatch",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BadEntry {
    /// The sequence number the verifier expected at this position.
    pub expected_seq: i64,
    /// The sequence number found there (absent when the chain ended early).
    pub found_seq: Option<i64>,
    pub fault: ChainFault,
}

/// A chain head that can be exported and checked later (AUD-02).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    pub seq: i64,
    pub hash: String,
}

/// Verifies entries fed in storage order (by ascending `seq`). Streaming: it keeps only the
/// previous hash, so a chain of any length is checked in constant memory.
#[derive(Debug)]
pub struct ChainVerifier {
    previous: [u8; 32],
    next_seq: i64,
    checked: u64,
    first_bad: Option<BadEntry>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl ChainVerifier {
    pub fn new() -> Self {
        Self {
            previous: GENESIS,
            next_seq: 1,
            checked: 0,
            first_bad: None,
        }
    }

    /// Feeds one entry with its stored hash. Returns false once a fault is found; later
    /// entries are then ignored, since the first bad entry is what the auditor needs.
    pub fn push(&mut self, entry: &AuditEntry, stored_hash: &str) -> bool {
        self.push_bytes(&entry.as_bytes(), stored_hash.as_bytes())
    }

    /// Records that the entry at the current position cannot be read at all.
    pub fn push_unreadable(&mut self, found_seq: Option<i64>) {
        if self.first_bad.is_none() {
            self.first_bad = Some(BadEntry {
                expected_seq: self.next_seq,
                found_seq,
                fault: ChainFault::Unreadable,
            });
        }
    }

    /// Feeds one entry borrowed as bytes, with its stored hash as hexadecimal text.
    pub fn push_bytes(&mut self, entry: &EntryBytes<'_>, stored_hash: &[u8]) -> bool {
        if self.first_bad.is_some() {
            return false;
        }
        let fault = if entry.seq != self.next_seq {
            Some(ChainFault::SequenceGap)
        } else {
            let mut stored = [0u8; 32];
            match hex::decode_to_slice(stored_hash, &mut stored)
                .ok()
                .map(|()| stored)
            {
                None => Some(ChainFault::MalformedHash),
                Some(stored) => {
                    let computed = entry.chain_hash(&self.previous);
                    if computed == stored {
                        self.previous = computed;
                        None
                    } else {
                        Some(ChainFault::HashMismatch)
                    }
                }
            }
        };
        match fault {
            None => {
                self.next_seq += 1;
                self.checked += 1;
                true
            }
            Some(fault) => {
                self.first_bad = Some(BadEntry {
                    expected_seq: self.next_seq,
                    found_seq: Some(entry.seq),
                    fault,
                });
                false
            }
        }
    }

    /// The last good head, to be exported as an anchor.
    pub fn head(&self) -> Anchor {
        Anchor {
            seq: self.next_seq - 1,
            hash: hex::encode(self.previous),
        }
    }

    pub fn checked(&self) -> u64 {
        self.checked
    }

    /// Ends verification. `expected_head` is the chain head that storage records separately;
    /// an entry removed from the end of the trail shows as a head the entries never reach.
    pub fn finish(self, expected_head: Option<&Anchor>) -> Result<Anchor, BadEntry> {
        if let Some(bad) = self.first_bad {
            return Err(bad);
        }
        let head = self.head();
        if let Some(expected) = expected_head {
            if expected.seq != head.seq || !expected.hash.eq_ignore_ascii_case(&head.hash) {
                return Err(BadEntry {
                    expected_seq: self.next_seq,
                    found_seq: None,
                    fault: if expected.seq > head.seq {
                        ChainFault::SequenceGap
                    } else {
                        ChainFault::HashMismatch
                    },
                });
            }
        }
        Ok(head)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64) -> AuditEntry {
        AuditEntry {
            seq,
            at_micros: 1_700_000_000_000_000 + seq,
            actor_id: Some(7),
            actor_label: "marie@quebec.ca".into(),
            source: "127.0.0.1".into(),
            org_id: Some(3),
            action: "org.create".into(),
            entity_type: "organization".into(),
            entity_id: seq.to_string(),
            before: None,
            after: Some(format!("{{\"name\":\"Unité {seq}\"}}")),
        }
    }

    fn chain(n: i64) -> Vec<(AuditEntry, String)> {
        let mut previous = GENESIS;
        (1..=n)
            .map(|seq| {
                let e = entry(seq);
                previous = e.chain_hash(&previous);
                (e, hex::encode(previous))
            })
            .collect()
    }

    fn verify(entries: &[(AuditEntry, String)]) -> Result<Anchor, BadEntry> {
        let mut v = ChainVerifier::new();
        for (e, h) in entries {
            v.push(e, h);
        }
        v.finish(None)
    }

    // REQ AUD-02
    #[test]
    fn intact_chain_verifies_and_reports_its_head() {
        let entries = chain(5);
        let head = verify(&entries).unwrap();
        assert_eq!(head.seq, 5);
        assert_eq!(head.hash, entries[4].1);
        assert_eq!(verify(&[]).unwrap().seq, 0);
    }

    // REQ AUD-02
    #[test]
    fn each_kind_of_tampering_names_the_first_bad_entry() {
        let mut altered = chain(5);
        altered[2].0.after = Some("{\"name\":\"falsifié\"}".into());
        let bad = verify(&altered).unwrap_err();
        assert_eq!((bad.expected_seq, bad.fault), (3, ChainFault::HashMismatch));

        let mut removed = chain(5);
        removed.remove(1);
        let bad = verify(&removed).unwrap_err();
        assert_eq!(
            (bad.expected_seq, bad.found_seq, bad.fault),
            (2, Some(3), ChainFault::SequenceGap)
        );

        let mut reordered = chain(5);
        reordered.swap(1, 3);
        assert_eq!(verify(&reordered).unwrap_err().expected_seq, 2);

        // Renumbering swapped rows so the sequence looks intact still breaks the hashes.
        let mut renumbered = chain(5);
        renumbered.swap(1, 3);
        renumbered[1].0.seq = 2;
        renumbered[3].0.seq = 4;
        let bad = verify(&renumbered).unwrap_err();
        assert_eq!((bad.expected_seq, bad.fault), (2, ChainFault::HashMismatch));

        let mut inserted = chain(5);
        let forged = entry(3);
        inserted.insert(2, (forged, "00".repeat(32)));
        assert_eq!(verify(&inserted).unwrap_err().expected_seq, 3);

        let mut malformed = chain(3);
        malformed[0].1 = "zz".into();
        assert_eq!(
            verify(&malformed).unwrap_err().fault,
            ChainFault::MalformedHash
        );
    }

    // REQ AUD-02
    #[test]
    fn truncation_is_caught_by_the_recorded_head() {
        let entries = chain(5);
        let full_head = verify(&entries).unwrap();
        let mut v = ChainVerifier::new();
        for (e, h) in &entries[..4] {
            v.push(e, h);
        }
        let bad = v.finish(Some(&full_head)).unwrap_err();
        assert_eq!((bad.expected_seq, bad.found_seq), (5, None));
    }

    #[test]
    fn fields_cannot_bleed_into_each_other() {
        let mut a = entry(1);
        a.entity_type = "ab".into();
        a.entity_id = "c".into();
        let mut b = entry(1);
        b.entity_type = "a".into();
        b.entity_id = "bc".into();
        assert_ne!(a.chain_hash(&GENESIS), b.chain_hash(&GENESIS));
        let mut none = entry(1);
        none.before = None;
        let mut empty = entry(1);
        empty.before = Some(String::new());
        assert_ne!(none.chain_hash(&GENESIS), empty.chain_hash(&GENESIS));
    }
}
