//! The messages and service traits generated from the client's protos.
#![allow(clippy::all, missing_docs)]

pub mod event_store {
    pub mod client {
        tonic::include_proto!("event_store.client");
        pub mod streams {
            tonic::include_proto!("event_store.client.streams");
        }
        pub mod gossip {
            tonic::include_proto!("event_store.client.gossip");
        }
    }
}

pub mod google {
    pub mod rpc {
        tonic::include_proto!("google.rpc");
    }
}
