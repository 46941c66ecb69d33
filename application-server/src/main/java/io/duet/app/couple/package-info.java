/**
 * Couples in memory. Each loaded couple is one {@link io.duet.app.couple.CoupleActor}: its typing
 * state, next sequence number, recent messages and attached sessions change only on the actor's own
 * serial executor, never under locks. {@link io.duet.app.couple.CoupleRegistry} creates actors for the
 * shards this server owns and drops them when a shard moves away.
 *
 * <p>A session that subscribes is caught up by its couple's {@link io.duet.app.couple.Delivery}: a
 * replay paced by the client's flow-control credit, read from HBase in pages within the server-wide
 * bounds of {@link io.duet.app.couple.CatchUpReads}, which also counts committed ranges found missing.
 */
package io.duet.app.couple;
