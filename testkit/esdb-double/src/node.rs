//! A double of one node or of a cluster: every node serves the same
//! streams, one of them is the leader, and faults are injected here.

use crate::db::{Db, StoredEvent};
use crate::fault::Fault;
use crate::gossip::GossipService;
use crate::proto::event_store::client::gossip::gossip_server::GossipServer;
use crate::proto::event_store::client::streams::streams_server::StreamsServer;
use crate::proxy::Proxy;
use crate::streams::StreamsService;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::Barrier;
use tokio::task::JoinHandle;

/// No node is the leader while this is the leader index.
const NO_LEADER: usize = usize::MAX;

/// What the nodes share: the streams, the leader, the faults to come.
#[derive(Default)]
pub struct Shared {
    pub db: Mutex<Db>,
    faults: Mutex<VecDeque<Fault>>,
    leader: AtomicUsize,
    endpoints: OnceLock<Vec<(String, u16)>>,
    unavailable_until: Mutex<Option<Instant>>,
    gate: Mutex<Option<(Arc<Barrier>, usize)>>,
    appends: AtomicU64,
    /// Index `i` is the proxy in front of node `i`.
    proxies: OnceLock<Vec<Arc<Proxy>>>,
}

impl Shared {
    pub fn leader(&self) -> Option<usize> {
        match self.leader.load(Ordering::SeqCst) {
            NO_LEADER => None,
            i => Some(i),
        }
    }

    pub fn endpoints(&self) -> &[(String, u16)] {
        self.endpoints.get().map_or(&[], Vec::as_slice)
    }

    /// The fault for the append arriving now, if any is left.
    pub fn next_fault(&self) -> Option<Fault> {
        self.appends.fetch_add(1, Ordering::SeqCst);
        self.faults.lock().expect("faults lock").pop_front()
    }

    /// Whether the cluster answers `UNAVAILABLE` now (an election).
    pub fn unavailable(&self) -> bool {
        let mut until = self.unavailable_until.lock().expect("lock");
        match *until {
            Some(t) if Instant::now() < t => true,
            Some(_) => {
                *until = None;
                false
            }
            None => false,
        }
    }

    /// Every node answers `UNAVAILABLE` for `d` from now.
    pub fn unavailable_for(&self, d: Duration) {
        *self.unavailable_until.lock().expect("lock") = Some(Instant::now() + d);
    }

    /// The barrier this append waits at, if appends are being gathered.
    pub fn gate(&self) -> Option<Arc<Barrier>> {
        let mut gate = self.gate.lock().expect("gate lock");
        let (barrier, left) = gate.as_mut()?;
        let barrier = barrier.clone();
        *left -= 1;
        if *left == 0 {
            *gate = None;
        }
        Some(barrier)
    }

    pub fn cut_connections(&self, node: usize) {
        if let Some(p) = self.proxies.get().and_then(|p| p.get(node)) {
            p.cut();
        }
    }
}

/// A running double. Its servers stop when it is dropped.
pub struct EsdbDouble {
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

impl EsdbDouble {
    /// One node, the leader. Must be called inside a Tokio runtime.
    pub async fn start() -> std::io::Result<Self> {
        Self::cluster(1).await
    }

    /// `nodes` nodes on loopback sharing one set of streams; node 0 leads.
    pub async fn cluster(nodes: usize) -> std::io::Result<Self> {
        assert!(nodes >= 1, "a cluster has a node");
        let shared = Arc::new(Shared::default());
        let mut tasks = Vec::new();
        let mut endpoints = Vec::new();
        let mut proxies = Vec::new();
        for index in 0..nodes {
            let front = TcpListener::bind("127.0.0.1:0").await?;
            let inner = TcpListener::bind("127.0.0.1:0").await?;
            let (front_addr, inner_addr) = (front.local_addr()?, inner.local_addr()?);
            endpoints.push(("127.0.0.1".to_string(), front_addr.port()));
            let proxy = Arc::new(Proxy::default());
            proxies.push(proxy.clone());
            tasks.push(tokio::spawn(proxy.run(front, inner_addr)));
            let streams = StreamsService {
                node: index,
                shared: shared.clone(),
            };
            let gossip = GossipService {
                shared: shared.clone(),
            };
            let incoming = tokio_stream::wrappers::TcpListenerStream::new(inner);
            tasks.push(tokio::spawn(async move {
                let served = tonic::transport::Server::builder()
                    .add_service(StreamsServer::new(streams))
                    .add_service(GossipServer::new(gossip))
                    .serve_with_incoming(incoming)
                    .await;
                if let Err(e) = served {
                    tracing::error!(error = %e, "the double's node stopped");
                }
            }));
        }
        shared.endpoints.set(endpoints).expect("set once");
        let _ = shared.proxies.set(proxies);
        Ok(Self { shared, tasks })
    }

    /// A connection string naming every node (`esdb://a,b,c?tls=false`);
    /// with several nodes the client discovers the leader by gossip.
    pub fn url(&self) -> String {
        let hosts: Vec<String> = self
            .shared
            .endpoints()
            .iter()
            .map(|(h, p)| format!("{h}:{p}"))
            .collect();
        format!("esdb://{}?tls=false", hosts.join(","))
    }

    /// A connection string naming node `i` alone (no discovery).
    pub fn node_url(&self, i: usize) -> String {
        let (h, p) = &self.shared.endpoints()[i];
        format!("esdb://{h}:{p}?tls=false")
    }

    /// The next append to reach any node meets `fault` (after those
    /// injected before it).
    pub fn inject(&self, fault: Fault) {
        self.shared
            .faults
            .lock()
            .expect("faults lock")
            .push_back(fault);
    }

    /// Faults injected and not yet met.
    pub fn faults_left(&self) -> usize {
        self.shared.faults.lock().expect("faults lock").len()
    }

    /// Node `i` becomes the leader; the others answer "not leader".
    pub fn elect(&self, i: usize) {
        assert!(i < self.shared.endpoints().len());
        self.shared.leader.store(i, Ordering::SeqCst);
    }

    /// An election that lasts `d`: every Streams call answers
    /// `UNAVAILABLE` until it is over, then node `then` leads.
    pub fn election(&self, d: Duration, then: usize) {
        self.shared.unavailable_for(d);
        self.elect(then);
    }

    /// The next `n` appends wait until all `n` have arrived, then go on at
    /// once: writers racing from the same head, deterministically.
    pub fn gather_appends(&self, n: usize) {
        assert!(n >= 1);
        *self.shared.gate.lock().expect("gate lock") = Some((Arc::new(Barrier::new(n)), n));
    }

    /// Appends received so far, by every node.
    pub fn appends_received(&self) -> u64 {
        self.shared.appends.load(Ordering::SeqCst)
    }

    /// Every event of `stream`, as written.
    pub fn events(&self, stream: &str) -> Vec<StoredEvent> {
        self.shared.db.lock().expect("db lock").events(stream)
    }
}

impl Drop for EsdbDouble {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
        if let Some(proxies) = self.shared.proxies.get() {
            for p in proxies {
                p.cut();
            }
        }
    }
}
