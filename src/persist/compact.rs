//! The compact binary form of the records written most: a call of the API and a timer
//! firing, which are all but a few of a busy file's records. Every other record (the
//! header, a snapshot, a fault rule, a harness call) stays JSON.
//!
//! A payload's first byte tells its form: JSON payloads are objects and start with `{`,
//! compact ones with one of the tags below. Compact records name accounts, regions,
//! pipelines and operations by number: the first record to use a string is preceded by
//! an [`INTERN`] record that gives it the next number, so each string is written once
//! per file. A compacted file repeats every string defined so far right after its
//! snapshot (`Journal::begin_compaction`), so the records appended during a compaction
//! keep their numbers in the new file.
//!
//! ```text
//! intern: 0x01 | the string's UTF-8 bytes
//! call:   0x02 | operation | account | region | incarnation | at | input | choice
//! fire:   0x03 | account | region | pipeline | incarnation | at | timer
//! ```
//!
//! Numbers are LEB128 varints; `input` is the call's input as JSON, length first;
//! `choice` is 0, or 1 and the choice's JSON, length first; `timer` is its kind
//! (0 `ActionDue`, 1 `SettleAbandon`, 2 `StartAfterCreate`, 3 `SettleCancel`,
//! 4 `RuleDue`) and its fields in order. A start with a name and no token takes about 40
//! bytes, against about 180 as JSON.
//!
//! No locks: the writer encodes under the journal's `pending` lock, which orders the
//! string numbers with the records that use them.

use std::collections::HashMap;
use std::sync::Arc;

use super::frame::frame;
use super::{Key, Record};
use crate::engine::Timer;

/// A string's number is defined for the records after it.
pub(super) const INTERN: u8 = 0x01;
const CALL: u8 = 0x02;
const FIRE: u8 = 0x03;

/// Whether a payload is in the compact form (else it is JSON).
pub(super) fn is_compact(payload: &[u8]) -> bool {
    payload.first().is_some_and(|tag| *tag != b'{')
}

/// A call of the API as the journal records it.
pub(crate) struct CallParts<'a> {
    pub(crate) operation: &'a str,
    pub(crate) account: &'a str,
    pub(crate) region: &'a str,
    /// The incarnation of the pipeline the call changed (created, for a create).
    pub(crate) incarnation: u64,
    pub(crate) at: u64,
    /// The input, as JSON.
    pub(crate) input: &'a str,
    /// What the call chose live, as JSON, for a change that depends on a choice.
    pub(crate) choice: Option<&'a str>,
}

/// A timer firing, with its pipeline's key borrowed.
pub(crate) struct FireParts<'a> {
    pub(crate) account: &'a str,
    pub(crate) region: &'a str,
    pub(crate) name: &'a str,
    pub(crate) incarnation: u64,
    pub(crate) at: u64,
    pub(crate) timer: Timer,
}

/// The writer's string numbers for the file being written.
#[derive(Default)]
pub(super) struct Strings {
    numbers: HashMap<Arc<str>, u64>,
    /// By number.
    texts: Vec<Arc<str>>,
}

impl Strings {
    /// Numbers read back from a file, to go on appending to it.
    pub(super) fn from_texts(texts: Vec<String>) -> Self {
        let mut strings = Self::default();
        for text in texts {
            strings.add(text.into());
        }
        strings
    }

    fn add(&mut self, text: Arc<str>) -> u64 {
        let number = self.texts.len() as u64;
        self.numbers.insert(Arc::clone(&text), number);
        self.texts.push(text);
        number
    }

    /// Every string defined so far, as intern frames in number order: how a compacted
    /// file starts after its snapshot.
    pub(super) fn frames(&self) -> Vec<u8> {
        let mut frames = Vec::new();
        let mut payload = Vec::new();
        for text in &self.texts {
            payload.clear();
            payload.push(INTERN);
            payload.extend_from_slice(text.as_bytes());
            frame(&mut frames, &payload);
        }
        frames
    }
}

/// Encodes one compact record into `payload`; the intern frames of strings it is the
/// first to use go to `frames` (and `since`) first.
pub(super) struct Encoder<'a> {
    pub(super) strings: &'a mut Strings,
    pub(super) payload: &'a mut Vec<u8>,
    pub(super) frames: &'a mut Vec<u8>,
    pub(super) since: Option<&'a mut Vec<u8>>,
}

impl Encoder<'_> {
    fn string(&mut self, text: &str) {
        let number = match self.strings.numbers.get(text) {
            Some(number) => *number,
            None => {
                let mut intern = Vec::with_capacity(text.len() + 1);
                intern.push(INTERN);
                intern.extend_from_slice(text.as_bytes());
                frame(self.frames, &intern);
                if let Some(since) = self.since.as_deref_mut() {
                    frame(since, &intern);
                }
                self.strings.add(text.into())
            }
        };
        varint(self.payload, number);
    }

    pub(super) fn call(&mut self, call: &CallParts<'_>) {
        self.payload.push(CALL);
        self.string(call.operation);
        self.string(call.account);
        self.string(call.region);
        varint(self.payload, call.incarnation);
        varint(self.payload, call.at);
        bytes(self.payload, call.input.as_bytes());
        match call.choice {
            None => self.payload.push(0),
            Some(choice) => {
                self.payload.push(1);
                bytes(self.payload, choice.as_bytes());
            }
        }
    }

    pub(super) fn fire(&mut self, fire: &FireParts<'_>) {
        self.payload.push(FIRE);
        self.string(fire.account);
        self.string(fire.region);
        self.string(fire.name);
        varint(self.payload, fire.incarnation);
        varint(self.payload, fire.at);
        let out = &mut *self.payload;
        match fire.timer {
            Timer::ActionDue { seq, stage, action } => {
                out.push(0);
                varint(out, seq);
                varint(out, stage.into());
                varint(out, action.into());
            }
            Timer::SettleAbandon { seq } => {
                out.push(1);
                varint(out, seq);
            }
            Timer::StartAfterCreate => out.push(2),
            Timer::SettleCancel { seq } => {
                out.push(3);
                varint(out, seq);
            }
            Timer::RuleDue { seq, stage, rule } => {
                out.push(4);
                varint(out, seq);
                varint(out, stage.into());
                varint(out, rule.into());
            }
        }
    }
}

fn varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// What a compact payload says: a string defined, or a record.
pub(super) enum Decoded {
    Intern(String),
    Record(Box<Record>),
}

/// Decodes a compact payload, with `strings` the numbers defined before it.
pub(super) fn decode(payload: &[u8], strings: &[String]) -> Result<Decoded, String> {
    let mut reader = Reader {
        rest: payload,
        strings,
    };
    let decoded = match reader.byte()? {
        INTERN => {
            let text = std::str::from_utf8(reader.rest)
                .map_err(|_| "an interned string is not UTF-8".to_owned())?;
            reader.rest = &[];
            Decoded::Intern(text.to_owned())
        }
        CALL => Decoded::Record(Box::new(Record::Call {
            operation: reader.string()?,
            account: reader.string()?,
            region: reader.string()?,
            incarnation: reader.varint()?,
            at: reader.varint()?,
            input: reader.json()?,
            choice: match reader.byte()? {
                0 => None,
                1 => Some(reader.json()?),
                other => return Err(format!("a call's choice is marked {other}")),
            },
        })),
        FIRE => Decoded::Record(Box::new(Record::Fire {
            key: Key {
                account: reader.string()?,
                region: reader.string()?,
                name: reader.string()?,
                incarnation: reader.varint()?,
            },
            at: reader.varint()?,
            timer: reader.timer()?,
        })),
        tag => return Err(format!("no record starts with byte {tag:#04x}")),
    };
    if !reader.rest.is_empty() {
        return Err(format!("{} bytes follow the record", reader.rest.len()));
    }
    Ok(decoded)
}

struct Reader<'a> {
    rest: &'a [u8],
    strings: &'a [String],
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, String> {
        let (first, rest) = self
            .rest
            .split_first()
            .ok_or_else(|| "the record ends early".to_owned())?;
        self.rest = rest;
        Ok(*first)
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("a number runs past 64 bits".into())
    }

    fn small<T: TryFrom<u64>>(&mut self) -> Result<T, String> {
        let value = self.varint()?;
        T::try_from(value).map_err(|_| format!("{value} is out of range"))
    }

    fn string(&mut self) -> Result<String, String> {
        let number = self.varint()?;
        usize::try_from(number)
            .ok()
            .and_then(|n| self.strings.get(n))
            .cloned()
            .ok_or_else(|| format!("string {number} is not defined before its use"))
    }

    fn json(&mut self) -> Result<serde_json::Value, String> {
        let len = self.small::<usize>()?;
        if len > self.rest.len() {
            return Err("the record ends early".into());
        }
        let (text, rest) = self.rest.split_at(len);
        self.rest = rest;
        serde_json::from_slice(text).map_err(|err| format!("its JSON cannot be read: {err}"))
    }

    fn timer(&mut self) -> Result<Timer, String> {
        Ok(match self.byte()? {
            0 => Timer::ActionDue {
                seq: self.varint()?,
                stage: self.small()?,
                action: self.small()?,
            },
            1 => Timer::SettleAbandon {
                seq: self.varint()?,
            },
            2 => Timer::StartAfterCreate,
            3 => Timer::SettleCancel {
                seq: self.varint()?,
            },
            4 => Timer::RuleDue {
                seq: self.varint()?,
                stage: self.small()?,
                rule: self.small()?,
            },
            other => return Err(format!("no timer is kind {other}")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(record: impl FnOnce(&mut Encoder<'_>), strings: &mut Strings) -> (Vec<u8>, Vec<u8>) {
        let (mut payload, mut frames) = (Vec::new(), Vec::new());
        record(&mut Encoder {
            strings,
            payload: &mut payload,
            frames: &mut frames,
            since: None,
        });
        (payload, frames)
    }

    fn record(decoded: Result<Decoded, String>) -> Record {
        match decoded {
            Ok(Decoded::Record(record)) => *record,
            Ok(Decoded::Intern(text)) => panic!("a string: {text}"),
            Err(why) => panic!("{why}"),
        }
    }

    /// A firing of `timer` on pipeline `p` of account `a` in region `r`.
    fn fire(timer: Timer) -> FireParts<'static> {
        FireParts {
            account: "a",
            region: "r",
            name: "p",
            incarnation: 1,
            at: 9,
            timer,
        }
    }

    fn texts(strings: &Strings) -> Vec<String> {
        strings.texts.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_call_reads_back_as_the_record_it_encodes() {
        let mut strings = Strings::default();
        let call = CallParts {
            operation: "StartPipelineExecution",
            account: "123456789012",
            region: "us-east-1",
            incarnation: 3,
            at: 1_795_705_472_604,
            input: r#"{"name":"p","clientRequestToken":"t"}"#,
            choice: Some(r#"["job-1"]"#),
        };
        let (payload, frames) = encode(|e| e.call(&call), &mut strings);
        assert_eq!(strings.texts.len(), 3, "three strings defined");
        assert_eq!(
            frames.len(),
            3 * (12 + 1) + 22 + 12 + 9,
            "in three intern frames"
        );
        let Record::Call {
            operation,
            account,
            region,
            incarnation,
            at,
            input,
            choice,
        } = record(decode(&payload, &texts(&strings)))
        else {
            panic!("not a call");
        };
        assert_eq!(
            (operation.as_str(), account.as_str(), region.as_str()),
            ("StartPipelineExecution", "123456789012", "us-east-1")
        );
        assert_eq!((incarnation, at), (3, 1_795_705_472_604));
        assert_eq!(
            input,
            serde_json::json!({"name": "p", "clientRequestToken": "t"})
        );
        assert_eq!(choice, Some(serde_json::json!(["job-1"])));
    }

    #[test]
    fn every_timer_reads_back_and_strings_are_defined_once() {
        let mut strings = Strings::default();
        let timers = [
            Timer::ActionDue {
                seq: 1 << 40,
                stage: 7,
                action: 300,
            },
            Timer::SettleAbandon { seq: 2 },
            Timer::StartAfterCreate,
            Timer::SettleCancel { seq: 3 },
            Timer::RuleDue {
                seq: 4,
                stage: 1,
                rule: 2,
            },
        ];
        let mut defined = 0;
        for timer in timers {
            let (payload, frames) = encode(|e| e.fire(&fire(timer)), &mut strings);
            defined += frames.len();
            let Record::Fire {
                key,
                at,
                timer: read,
            } = record(decode(&payload, &texts(&strings)))
            else {
                panic!("not a fire");
            };
            assert_eq!((key.name.as_str(), key.incarnation, at), ("p", 1, 9));
            assert_eq!(read, timer);
        }
        assert_eq!(strings.texts.len(), 3, "a, r and p, once each");
        assert_eq!(
            defined,
            3 * (12 + 2),
            "three intern frames of two bytes each"
        );
    }

    #[test]
    fn a_number_without_its_string_or_a_short_record_is_an_error_not_a_panic() {
        let mut strings = Strings::default();
        let (payload, _) = encode(|e| e.fire(&fire(Timer::StartAfterCreate)), &mut strings);
        assert!(decode(&payload, &[]).is_err());
        for cut in 0..payload.len() {
            assert!(decode(&payload[..cut], &texts(&strings)).is_err());
        }
        let mut long = payload.clone();
        long.push(0);
        assert!(decode(&long, &texts(&strings)).is_err());
    }
}
