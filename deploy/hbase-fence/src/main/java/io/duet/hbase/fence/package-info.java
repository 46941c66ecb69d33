/**
 * The fence coprocessor: start with {@link io.duet.hbase.fence.FenceObserver}, which HBase loads into each
 * region of a table that names it; {@code FenceLedger} is its decision, as pure logic.
 */
package io.duet.hbase.fence;
