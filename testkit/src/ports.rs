//! Loopback ports for servers the tests start as processes.

use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// Whether something listens on `port` within `patience`, checked every 10 ms.
pub fn listening_within(port: u16, patience: Duration) -> bool {
    let deadline = Instant::now() + patience;
    loop {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}
