//! The ledger server as a witness client (C2SP tlog-witness): each new
//! checkpoint goes to every configured witness with a consistency proof
//! from the size that witness last cosigned; the cosignatures that check
//! are attached to the note, which is published only once a quorum of them
//! did. A witness that is down costs one timeout and its cosignature, not
//! the append path: appends never wait for witnesses.

use gpu_ledger_ledger::Hash;
use gpu_ledger_ledger::checkpoint::Checkpoint;
use gpu_ledger_ledger::cosignature;
use gpu_ledger_ledger::note::{KeyKind, NoteVerifier};
use gpu_ledger_ledger::witness::request::AddCheckpoint;
use std::sync::Mutex;
use std::time::Duration;

/// The most a witness's answer may hold: a few signature lines.
const MAX_ANSWER_BYTES: usize = 16 * 1024;

/// One witness, as `--witness NAME=URL=VKEY` names it.
#[derive(Debug, Clone)]
pub struct WitnessPeer {
    pub name: String,
    /// The submission prefix; `add-checkpoint` is appended.
    pub url: String,
    pub key: NoteVerifier,
}

impl WitnessPeer {
    /// Parses `NAME=URL=VKEY`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut parts = s.splitn(3, '=');
        let (Some(name), Some(url), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!(
                "--witness {s:?} is not NAME=URL=VKEY (e.g. board=http://witness.example:7380=witness.example/w1+1a2b3c4d+BA...)"
            ));
        };
        let key = NoteVerifier::parse(key)
            .map_err(|e| format!("--witness {name}: the verifier key: {e}"))?;
        if key.kind != KeyKind::Cosignature {
            return Err(format!(
                "--witness {name}: {} is a log key (type 0x01); a witness's key has type 0x04 (`gpu-ledger keygen --witness`)",
                key.name
            ));
        }
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!("--witness {name}: {url:?} is not an http:// URL"));
        }
        Ok(Self {
            name: name.into(),
            url: url.trim_end_matches('/').into(),
            key,
        })
    }
}

/// The configured witnesses and how many must cosign.
#[derive(Debug, Clone)]
pub struct WitnessConfig {
    pub peers: Vec<WitnessPeer>,
    /// Cosignatures needed to publish a checkpoint.
    pub quorum: usize,
    /// How long one witness may take to answer.
    pub timeout: Duration,
}

impl Default for WitnessConfig {
    fn default() -> Self {
        Self {
            peers: Vec::new(),
            quorum: 0,
            timeout: Duration::from_secs(10),
        }
    }
}

/// Witnesses, with the size each last cosigned as far as this server knows.
pub struct Witnesses {
    peers: Vec<(WitnessPeer, Mutex<u64>)>,
    pub quorum: usize,
    client: reqwest::Client,
}

/// What came back from the witnesses for one checkpoint.
pub struct Cosigned {
    /// The note with every cosignature that checked.
    pub note: String,
    pub cosigners: Vec<String>,
    /// Per witness that did not cosign, why.
    pub failures: Vec<String>,
}

impl Witnesses {
    pub fn new(config: WitnessConfig) -> Result<Self, String> {
        if config.quorum > config.peers.len() {
            return Err(format!(
                "--witness-quorum {} is more than the {} witnesses configured",
                config.quorum,
                config.peers.len()
            ));
        }
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(|e| format!("cannot make an HTTP client: {e}"))?;
        Ok(Self {
            peers: config
                .peers
                .into_iter()
                .map(|p| (p, Mutex::new(0)))
                .collect(),
            quorum: config.quorum,
            client,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.peers.is_empty()
    }

    /// Asks every witness, at once, to cosign `note` (which states `cp`);
    /// `prove(old)` is the consistency proof from `old` to `cp.size`.
    pub async fn cosign(
        &self,
        note: &str,
        cp: Checkpoint,
        prove: &(dyn Fn(u64) -> Result<Vec<Hash>, String> + Sync),
    ) -> Cosigned {
        let asks = self.peers.iter().map(|(peer, last)| async move {
            let answer = self.ask(peer, last, note, cp, prove).await;
            (peer, answer)
        });
        let answers = futures::future::join_all(asks).await;
        let mut cosigned = Cosigned {
            note: note.to_string(),
            cosigners: Vec::new(),
            failures: Vec::new(),
        };
        for (peer, answer) in answers {
            match answer {
                Ok(line) => {
                    cosigned.note = cosignature::attach(&cosigned.note, &line);
                    cosigned.cosigners.push(peer.name.clone());
                }
                Err(e) => {
                    tracing::warn!(witness = %peer.name, size = cp.size, error = %e, "a witness did not cosign");
                    cosigned.failures.push(format!("{}: {e}", peer.name));
                }
            }
        }
        cosigned
    }

    /// One witness's cosignature line, resending once from the size it
    /// says it knows when it answers 409.
    async fn ask(
        &self,
        peer: &WitnessPeer,
        last: &Mutex<u64>,
        note: &str,
        cp: Checkpoint,
        prove: &(dyn Fn(u64) -> Result<Vec<Hash>, String> + Sync),
    ) -> Result<String, String> {
        let mut old = *last.lock().expect("witness size lock");
        for _ in 0..2 {
            if old > cp.size {
                return Err(format!(
                    "it cosigned size {old}, beyond this checkpoint's {}: it has seen a longer history of this log",
                    cp.size
                ));
            }
            let body = AddCheckpoint {
                old_size: old,
                proof: prove(old)?,
                checkpoint: note.to_string(),
            }
            .to_body();
            match self.post(peer, body).await? {
                (200, answer) => {
                    let line = own_lines(peer, note, &answer)?;
                    *last.lock().expect("witness size lock") = cp.size;
                    return Ok(line);
                }
                (409, answer) => {
                    old = answer
                        .strip_suffix('\n')
                        .and_then(gpu_ledger_ledger::checkpoint::parse_decimal)
                        .ok_or_else(|| format!("its 409 answer {answer:?} is not a tree size"))?;
                }
                (status, answer) => {
                    return Err(format!("it answered {status}: {}", answer.trim_end()));
                }
            }
        }
        Err("it kept answering 409 with another size".into())
    }

    async fn post(&self, peer: &WitnessPeer, body: String) -> Result<(u16, String), String> {
        let resp = self
            .client
            .post(format!("{}/add-checkpoint", peer.url))
            .body(body)
            .send()
            .await
            .map_err(|e| format!("cannot reach {}: {e}", peer.url))?;
        let status = resp.status().as_u16();
        if resp.content_length().unwrap_or(0) > MAX_ANSWER_BYTES as u64 {
            return Err(format!("its answer is over {MAX_ANSWER_BYTES} bytes"));
        }
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| format!("its answer broke off: {e}"))?;
        if bytes.len() > MAX_ANSWER_BYTES {
            return Err(format!("its answer is over {MAX_ANSWER_BYTES} bytes"));
        }
        Ok((status, String::from_utf8_lossy(&bytes).into_owned()))
    }
}

/// The lines of `answer` that are `peer`'s valid cosignature of `note`;
/// lines of other keys are ignored, as the spec requires.
fn own_lines(peer: &WitnessPeer, note: &str, answer: &str) -> Result<String, String> {
    let valid: String = answer
        .split_inclusive('\n')
        .filter(|line| {
            line.ends_with('\n')
                && cosignature::verify(&peer.key, &cosignature::attach(note, line)).is_ok()
        })
        .collect();
    if valid.is_empty() {
        return Err(format!(
            "its answer holds no valid cosignature by {}: {:?}",
            peer.key.name,
            answer.chars().take(200).collect::<String>()
        ));
    }
    Ok(valid)
}
