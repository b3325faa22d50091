//! `Streams.Append` and `Streams.Read` (without subscriptions), with the
//! faults injected into appends.

use crate::db::{Appended, Expected, Proposed, StoredEvent};
use crate::fault::Fault;
use crate::node::Shared;
use crate::proto::event_store::client::streams::streams_server::Streams;
use crate::proto::event_store::client::streams::{
    AppendReq, AppendResp, BatchAppendReq, BatchAppendResp, DeleteReq, DeleteResp, ReadReq,
    ReadResp, TombstoneReq, TombstoneResp, append_req, append_resp, read_req, read_resp,
};
use crate::proto::event_store::client::{Empty, StreamIdentifier, Uuid as UuidMessage, uuid};
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use std::sync::Arc;
use std::time::Duration;
use tonic::metadata::MetadataValue;
use tonic::{Request, Response, Status, Streaming};

pub struct StreamsService {
    pub node: usize,
    pub shared: Arc<Shared>,
}

/// A UUID as the client asked for it (string or two 64-bit halves).
pub fn uuid_message(id: ::uuid::Uuid, as_string: bool) -> UuidMessage {
    let value = if as_string {
        uuid::Value::String(id.to_string())
    } else {
        let n = id.as_u128();
        uuid::Value::Structured(uuid::Structured {
            most_significant_bits: (n >> 64) as u64 as i64,
            least_significant_bits: n as u64 as i64,
        })
    };
    UuidMessage { value: Some(value) }
}

fn uuid_of(message: Option<UuidMessage>) -> Result<::uuid::Uuid, Status> {
    match message.and_then(|m| m.value) {
        Some(uuid::Value::String(s)) => ::uuid::Uuid::parse_str(&s)
            .map_err(|e| Status::invalid_argument(format!("event id {s:?}: {e}"))),
        Some(uuid::Value::Structured(s)) => Ok(::uuid::Uuid::from_u128(
            (u128::from(s.most_significant_bits as u64) << 64)
                | u128::from(s.least_significant_bits as u64),
        )),
        None => Err(Status::invalid_argument("an event without an id")),
    }
}

fn stream_name(id: Option<StreamIdentifier>) -> Result<String, Status> {
    let id = id.ok_or_else(|| Status::invalid_argument("no stream identifier"))?;
    String::from_utf8(id.stream_name).map_err(|_| Status::invalid_argument("stream name not UTF-8"))
}

fn status_timed_out() -> Status {
    Status::aborted("Operation timed out")
}

impl StreamsService {
    /// Refuses a call the node cannot serve now: during an election, or a
    /// call that requires the leader on a node that is not it.
    fn admit<T>(&self, request: &Request<T>) -> Result<(), Status> {
        if self.shared.unavailable() {
            return Err(Status::unavailable("Server Is Not Ready"));
        }
        let requires_leader = request
            .metadata()
            .get("requires-leader")
            .is_some_and(|v| v.to_str().is_ok_and(|s| s.eq_ignore_ascii_case("true")));
        let leader = self.shared.leader();
        if requires_leader && leader != Some(self.node) {
            let Some(leader) = leader else {
                return Err(Status::unavailable("Server Is Not Ready"));
            };
            let (host, port) = &self.shared.endpoints()[leader];
            let mut status = Status::not_found("Leader info available");
            let metadata = status.metadata_mut();
            metadata.insert("exception", MetadataValue::from_static("not-leader"));
            metadata.insert(
                "leader-endpoint-host",
                MetadataValue::try_from(host.as_str()).expect("ascii host"),
            );
            metadata.insert(
                "leader-endpoint-port",
                MetadataValue::try_from(port.to_string()).expect("digits"),
            );
            return Err(status);
        }
        Ok(())
    }

    /// Reads the whole request stream: its options, then the events.
    async fn received(
        mut messages: Streaming<AppendReq>,
    ) -> Result<(String, Expected, Vec<Proposed>), Status> {
        use append_req::Content;
        use append_req::options::ExpectedStreamRevision as E;
        let Some(Content::Options(options)) = messages.message().await?.and_then(|m| m.content)
        else {
            return Err(Status::invalid_argument(
                "an append starts with its options",
            ));
        };
        let stream = stream_name(options.stream_identifier)?;
        let expected = match options.expected_stream_revision {
            Some(E::Revision(r)) => Expected::Exact(r),
            Some(E::NoStream(_)) => Expected::NoStream,
            Some(E::Any(_)) | None => Expected::Any,
            Some(E::StreamExists(_)) => Expected::StreamExists,
        };
        let mut events = Vec::new();
        while let Some(message) = messages.message().await? {
            let Some(Content::ProposedMessage(p)) = message.content else {
                return Err(Status::invalid_argument("options sent twice"));
            };
            let field = |name: &str| {
                p.metadata
                    .get(name)
                    .cloned()
                    .ok_or_else(|| Status::invalid_argument(format!("no {name:?} in metadata")))
            };
            events.push(Proposed {
                id: uuid_of(p.id)?,
                event_type: field("type")?,
                content_type: field("content-type")?,
                custom_metadata: p.custom_metadata,
                data: p.data,
            });
        }
        Ok((stream, expected, events))
    }
}

fn answer(outcome: Appended, expected: Expected) -> AppendResp {
    use append_resp::wrong_expected_version::{CurrentRevisionOption, ExpectedRevisionOption};
    use append_resp::{Position, Result as R, Success, WrongExpectedVersion, success};
    let result = match outcome {
        Appended::Ok { revision, position } => R::Success(Success {
            current_revision_option: Some(success::CurrentRevisionOption::CurrentRevision(
                revision,
            )),
            position_option: Some(success::PositionOption::Position(Position {
                commit_position: position,
                prepare_position: position,
            })),
        }),
        Appended::WrongExpectedVersion { current } => {
            R::WrongExpectedVersion(WrongExpectedVersion {
                current_revision_option: Some(match current {
                    Some(r) => CurrentRevisionOption::CurrentRevision(r),
                    None => CurrentRevisionOption::CurrentNoStream(Empty {}),
                }),
                expected_revision_option: Some(match expected {
                    Expected::Exact(r) => ExpectedRevisionOption::ExpectedRevision(r),
                    Expected::Any => ExpectedRevisionOption::ExpectedAny(Empty {}),
                    Expected::NoStream => ExpectedRevisionOption::ExpectedNoStream(Empty {}),
                    Expected::StreamExists => {
                        ExpectedRevisionOption::ExpectedStreamExists(Empty {})
                    }
                }),
                ..Default::default()
            })
        }
    };
    AppendResp {
        result: Some(result),
    }
}

fn read_event(e: StoredEvent, ids_as_strings: bool) -> ReadResp {
    use read_resp::read_event::{Position, RecordedEvent};
    let metadata = [
        ("type", e.event_type),
        ("content-type", e.content_type),
        ("created", e.created.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    ReadResp {
        content: Some(read_resp::Content::Event(read_resp::ReadEvent {
            event: Some(RecordedEvent {
                id: Some(uuid_message(e.id, ids_as_strings)),
                stream_identifier: Some(StreamIdentifier {
                    stream_name: e.stream.into_bytes(),
                }),
                stream_revision: e.revision,
                prepare_position: e.position,
                commit_position: e.position,
                metadata,
                custom_metadata: e.custom_metadata,
                data: e.data,
            }),
            link: None,
            position: Some(Position::CommitPosition(e.position)),
        })),
    }
}

#[tonic::async_trait]
impl Streams for StreamsService {
    type ReadStream = BoxStream<'static, Result<ReadResp, Status>>;
    type BatchAppendStream = BoxStream<'static, Result<BatchAppendResp, Status>>;

    async fn read(&self, request: Request<ReadReq>) -> Result<Response<Self::ReadStream>, Status> {
        use read_req::options::stream_options::RevisionOption;
        use read_req::options::{CountOption, StreamOption, uuid_option};
        self.admit(&request)?;
        let options = request
            .into_inner()
            .options
            .ok_or_else(|| Status::invalid_argument("a read without options"))?;
        let Some(StreamOption::Stream(stream_options)) = options.stream_option else {
            return Err(Status::unimplemented("the double reads streams, not $all"));
        };
        let subscription = matches!(options.count_option, Some(CountOption::Subscription(_)));
        let count = match options.count_option {
            Some(CountOption::Count(n)) => n,
            _ => u64::MAX,
        };
        let stream = stream_name(stream_options.stream_identifier)?;
        let backwards = options.read_direction == 1 && !subscription;
        let from = match stream_options.revision_option {
            // A subscription from revision R delivers what comes after R.
            Some(RevisionOption::Revision(r)) if subscription => Some(r + 1),
            Some(RevisionOption::Revision(r)) => Some(r),
            Some(RevisionOption::Start(_)) | None => {
                if backwards {
                    Some(0)
                } else {
                    None
                }
            }
            Some(RevisionOption::End(_)) => {
                if backwards {
                    None
                } else {
                    Some(u64::MAX)
                }
            }
        };
        let as_strings = matches!(
            options.uuid_option.and_then(|u| u.content),
            Some(uuid_option::Content::String(_))
        );
        let found = self
            .shared
            .db
            .lock()
            .expect("db lock")
            .read(&stream, from, backwards, count);
        let mut messages: Vec<Result<ReadResp, Status>> = match found {
            None => vec![Ok(ReadResp {
                content: Some(read_resp::Content::StreamNotFound(
                    read_resp::StreamNotFound {
                        stream_identifier: Some(StreamIdentifier {
                            stream_name: stream.into_bytes(),
                        }),
                    },
                )),
            })],
            Some(events) => events
                .into_iter()
                .map(|e| Ok(read_event(e, as_strings)))
                .collect(),
        };
        if subscription {
            // Confirmed, what is there, caught up, and then the server ends
            // the call with OK, as KurrentDB does to a consumer too slow to
            // keep up (or on shutdown): the fault `follow` was built around.
            messages.retain(|m| {
                !matches!(
                    m,
                    Ok(ReadResp {
                        content: Some(read_resp::Content::StreamNotFound(_))
                    })
                )
            });
            messages.insert(
                0,
                Ok(ReadResp {
                    content: Some(read_resp::Content::Confirmation(
                        read_resp::SubscriptionConfirmation {
                            subscription_id: "double".into(),
                        },
                    )),
                }),
            );
            messages.push(Ok(ReadResp {
                content: Some(read_resp::Content::CaughtUp(read_resp::CaughtUp {})),
            }));
        }
        Ok(Response::new(futures::stream::iter(messages).boxed()))
    }

    async fn append(
        &self,
        request: Request<Streaming<AppendReq>>,
    ) -> Result<Response<AppendResp>, Status> {
        self.admit(&request)?;
        let (stream, expected, events) = Self::received(request.into_inner()).await?;
        if let Some(gate) = self.shared.gate() {
            gate.wait().await;
        }
        let fault = self.shared.next_fault();
        match fault {
            Some(Fault::TimeoutBeforeCommit) => return Err(status_timed_out()),
            Some(Fault::Cancelled) => return Err(Status::cancelled("Operation cancelled")),
            Some(Fault::DropBeforeCommit) => {
                self.shared.cut_connections(self.node);
                std::future::pending::<()>().await;
            }
            Some(Fault::Hang) => {
                // Until the request's grpc-timeout cancels this handler (or
                // the client gives up); an hour if it set none.
                tokio::time::sleep(Duration::from_secs(3600)).await;
                return Err(status_timed_out());
            }
            _ => {}
        }
        let outcome = self
            .shared
            .db
            .lock()
            .expect("db lock")
            .append(&stream, expected, &events);
        match fault {
            Some(Fault::TimeoutAfterCommit) => Err(status_timed_out()),
            Some(Fault::LeaderLostAfterCommit { for_ms }) => {
                self.shared.unavailable_for(Duration::from_millis(for_ms));
                Err(status_timed_out())
            }
            Some(Fault::DropAfterCommit) => {
                self.shared.cut_connections(self.node);
                std::future::pending().await
            }
            _ => Ok(Response::new(answer(outcome, expected))),
        }
    }

    async fn delete(&self, _: Request<DeleteReq>) -> Result<Response<DeleteResp>, Status> {
        Err(Status::unimplemented("the double does not delete streams"))
    }

    async fn tombstone(&self, _: Request<TombstoneReq>) -> Result<Response<TombstoneResp>, Status> {
        Err(Status::unimplemented("the double does not delete streams"))
    }

    async fn batch_append(
        &self,
        request: Request<Streaming<BatchAppendReq>>,
    ) -> Result<Response<Self::BatchAppendStream>, Status> {
        let _ = request.into_inner().try_next().await;
        Err(Status::unimplemented(
            "the double serves Append, not BatchAppend",
        ))
    }
}
