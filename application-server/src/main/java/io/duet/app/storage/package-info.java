/**
 * Everything Duet keeps in HBase, through the asynchronous client only. Start at {@link
 * io.duet.app.storage.HBaseSchema} for the tables and row layout (all of a couple's data in one row,
 * its owner epoch in a small column family of its own), then {@link io.duet.app.storage.CoupleStore},
 * where every write to a couple row is conditional on the writer's epoch.
 */
package io.duet.app.storage;
