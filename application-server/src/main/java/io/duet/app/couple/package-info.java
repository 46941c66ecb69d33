/**
 * Couples in memory. Each loaded couple is one {@link io.duet.app.couple.CoupleActor}: its typing
 * state, next sequence number, recent messages and attached sessions change only on the actor's own
 * serial executor, never under locks. {@link io.duet.app.couple.CoupleRegistry} creates actors for the
 * shards this server owns and drops them when a shard moves away.
 */
package io.duet.app.couple;
