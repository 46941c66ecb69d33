/*
 * Duet cluster coordination records, stored in ZooKeeper (compact protocol).
 * Written by application servers, read by both tiers.
 */
namespace java io.duet.protocol.cluster
namespace py duet.internal.cluster

/** Fixed when the cluster is first created; never changes afterwards. */
struct ClusterSettings {
  1: i32 shardCount,
  2: i64 createdAtMillis,
}

struct Endpoint {
  1: string host,
  2: i32 port,
}

/** An application server's membership record (an ephemeral node). */
struct AppServerInfo {
  1: string serverId,
  /** Where presentation servers open relay connections. */
  2: Endpoint relayEndpoint,
  3: i64 startedAtMillis,
  /**
   * Placement label: the failure zone (rack, availability zone) the server runs in. Shards are
   * spread across zones in proportion to their servers; servers without one share an unnamed zone.
   */
  4: optional string zone,
  /**
   * Placement label: the host name of the machine the server runs on, as HBase names its region
   * servers. A shard prefers a server on the host of the region that holds the shard's rows.
   */
  5: optional string host,
}

struct ShardAssignment {
  /** serverId of the owner, or empty when unassigned. */
  1: string owner,
  /**
   * The map epoch at which this owner got the shard. Strictly increasing across
   * assignments of a shard; it fences the owner's HBase writes.
   */
  2: i64 epoch,
}

/** The shard map, published by the elected leader. */
struct ShardMap {
  /** Strictly increasing with every publication. */
  1: i64 epoch,
  2: i32 shardCount,
  /** Index i is shard i. */
  3: list<ShardAssignment> shards,
  /** Every live application server at publication, by serverId. */
  4: map<string, AppServerInfo> servers,
  5: i64 publishedAtMillis,
  6: string leaderId,
}

/**
 * An application server's heartbeat record: the data of its node under /heartbeats, rewritten every
 * heartbeat interval (so it stays small). Liveness is the node's modification time; this is what
 * operators see of the server (bin/duet-admin).
 */
struct ServerStatus {
  /** Heartbeats written by this incarnation; one more with every renewal. */
  1: i64 renewals,
  /** Couples loaded in memory on this server, over all shards. */
  2: i32 couplesLoaded,
  /**
   * Couples loaded, by shard; shards with none are left out, and so is the whole map when more than
   * a few hundred shards have couples (then only the total above is known).
   */
  3: optional map<i32, i32> couplesLoadedByShard,
  /** The epoch of the newest shard map this server has seen; 0 before the first. */
  4: i64 shardMapEpoch,
}

/**
 * A presentation server's record: the data of its ephemeral node under /presenters, named by its
 * instance id. Rewritten only when it changes, and its session count at most every few seconds, so
 * that it stays cheap; the node's presence is the server's liveness. For operators (status pages).
 */
struct PresenterStatus {
  /** <server.id>@<start time>, a new one for every start. */
  1: string instanceId,
  2: i64 startedAtMillis,
  /** When this record was written, by the server's clock. */
  3: i64 updatedAtMillis,
  /** Client sessions open on the server's TCP port. */
  4: i32 sessions,
  /** Whether its /ready answers 200. */
  5: bool ready,
  /** Why it is not ready, in one line; empty when ready. */
  6: string notReadyReason,
  /** Where its drain stands: NOT_STARTED, DRAINING or DRAINED. */
  7: string drainPhase,
  /** Its admin port, where its own status page is. */
  8: optional Endpoint adminEndpoint,
}
