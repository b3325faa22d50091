//! `Gossip.Read`: the cluster's members as the client's discovery sees
//! them, the leader among them.

use crate::node::Shared;
use crate::proto::event_store::client::Empty;
use crate::proto::event_store::client::gossip::gossip_server::Gossip;
use crate::proto::event_store::client::gossip::member_info::VNodeState;
use crate::proto::event_store::client::gossip::{ClusterInfo, EndPoint, MemberInfo};
use std::sync::Arc;
use tonic::{Request, Response, Status};

pub struct GossipService {
    pub shared: Arc<Shared>,
}

#[tonic::async_trait]
impl Gossip for GossipService {
    async fn read(&self, _: Request<Empty>) -> Result<Response<ClusterInfo>, Status> {
        let leader = self.shared.leader();
        let members = self
            .shared
            .endpoints()
            .iter()
            .enumerate()
            .map(|(i, (host, port))| MemberInfo {
                instance_id: Some(crate::streams::uuid_message(
                    ::uuid::Uuid::from_u128(i as u128 + 1),
                    false,
                )),
                time_stamp: 0,
                state: if Some(i) == leader {
                    VNodeState::Leader
                } else {
                    VNodeState::Follower
                } as i32,
                is_alive: true,
                http_end_point: Some(EndPoint {
                    address: host.clone(),
                    port: u32::from(*port),
                }),
            })
            .collect();
        Ok(Response::new(ClusterInfo { members }))
    }
}
