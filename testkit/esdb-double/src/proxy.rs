//! The TCP front of a node: it forwards each client connection to the node's
//! gRPC server and can cut them all at once, which is how a connection
//! "dropped in the middle of an append" is made real (the client's HTTP/2
//! connection dies; nothing in tonic's server API can do that).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

#[derive(Default)]
pub struct Proxy {
    connections: Mutex<Vec<AbortHandle>>,
}

impl Proxy {
    /// Forwards every connection `front` accepts to `server`, until aborted.
    pub async fn run(self: Arc<Self>, front: TcpListener, server: SocketAddr) {
        loop {
            let Ok((mut client, _)) = front.accept().await else {
                continue;
            };
            let task = tokio::spawn(async move {
                let Ok(mut upstream) = TcpStream::connect(server).await else {
                    return;
                };
                let _ = client.set_nodelay(true);
                let _ = upstream.set_nodelay(true);
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
            let mut connections = self.connections.lock().expect("proxy lock");
            connections.retain(|c| !c.is_finished());
            connections.push(task.abort_handle());
        }
    }

    /// Closes every connection now open through this front.
    pub fn cut(&self) {
        for c in self.connections.lock().expect("proxy lock").drain(..) {
            c.abort();
        }
    }
}
