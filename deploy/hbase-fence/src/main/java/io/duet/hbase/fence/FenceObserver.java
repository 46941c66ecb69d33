package io.duet.hbase.fence;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.Cell;
import org.apache.hadoop.hbase.CellUtil;
import org.apache.hadoop.hbase.CoprocessorEnvironment;
import org.apache.hadoop.hbase.HConstants.OperationStatusCode;
import org.apache.hadoop.hbase.client.Delete;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Mutation;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.coprocessor.ObserverContext;
import org.apache.hadoop.hbase.coprocessor.RegionCoprocessor;
import org.apache.hadoop.hbase.coprocessor.RegionCoprocessorEnvironment;
import org.apache.hadoop.hbase.coprocessor.RegionObserver;
import org.apache.hadoop.hbase.regionserver.MiniBatchOperationInProgress;
import org.apache.hadoop.hbase.regionserver.OperationStatus;
import org.apache.hadoop.hbase.regionserver.Region;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * Checks the fence of plain batched mutations: a mutation with the attribute {@link #ATTRIBUTE} is
 * written only if its row's fence cell (the family and qualifier named by {@link #FAMILY} and {@link
 * #QUALIFIER} in the table's coprocessor properties) holds exactly the attribute's value; otherwise it
 * fails alone, with a message that starts with {@link #FENCED}, and the client sees a {@code
 * DoNotRetryIOException} for that mutation only. The rest of the batch is written.
 *
 * <p>Why a lock of its own: HBase takes only shared row locks for a non-atomic batch, so two batches could
 * otherwise read the same fence value and both pass. Before deciding, this observer locks every row of the
 * mini-batch exclusively (striped locks, taken in one order), and releases them once HBase has written and
 * published the batch ({@code postBatchMutateIndispensably}, called on the same handler thread).
 */
public final class FenceObserver implements RegionCoprocessor, RegionObserver {
    /** The mutation attribute holding the fence value the write requires. */
    public static final String ATTRIBUTE = "duet.fence";
    /** Start of the message of a fenced mutation's failure. */
    public static final String FENCED = "duet-fenced:";
    /** Coprocessor property: the family of the fence cell. */
    public static final String FAMILY = "duet.fence.family";
    /** Coprocessor property: the qualifier of the fence cell. */
    public static final String QUALIFIER = "duet.fence.qualifier";
    private static final int STRIPES = 1024;
    /** Longer than any write holds its rows; a wait this long means something is wrong. */
    private static final long LOCK_WAIT_SECONDS = 30;

    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
    private final ThreadLocal<List<ReentrantLock>> held = ThreadLocal.withInitial(ArrayList::new);
    private byte[] family;
    private byte[] qualifier;

    public FenceObserver() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    @Override
    public void start(CoprocessorEnvironment env) throws IOException {
        Configuration conf = env.getConfiguration();
        String familyName = conf.get(FAMILY);
        String qualifierName = conf.get(QUALIFIER);
        if (familyName == null || qualifierName == null) {
            throw new IOException("FenceObserver needs the coprocessor properties " + FAMILY + " and " + QUALIFIER);
        }
        family = Bytes.toBytes(familyName);
        qualifier = Bytes.toBytes(qualifierName);
    }

    @Override
    public Optional<RegionObserver> getRegionObserver() {
        return Optional.of(this);
    }

    @Override
    public void preBatchMutate(ObserverContext<RegionCoprocessorEnvironment> ctx,
            MiniBatchOperationInProgress<Mutation> batch) throws IOException {
        release(); // a previous batch's, had HBase skipped its clean-up; never expected
        lockRows(batch);
        try {
            Region region = ctx.getEnvironment().getRegion();
            FenceLedger ledger = new FenceLedger(row -> read(region, row));
            for (int i = 0; i < batch.size(); i++) {
                if (batch.getOperationStatus(i).getOperationStatusCode() != OperationStatusCode.NOT_RUN) {
                    continue;
                }
                Mutation mutation = batch.getOperation(i);
                byte[] written = mutation instanceof Put ? writtenFence(mutation) : null;
                FenceLedger.Effect effect = mutation instanceof Delete ? FenceLedger.Effect.DELETES
                        : written != null ? FenceLedger.Effect.WRITES : FenceLedger.Effect.KEEPS;
                String refusal = ledger.admit(mutation.getRow(), mutation.getAttribute(ATTRIBUTE), effect, written);
                if (refusal != null) {
                    batch.setOperationStatus(i, new OperationStatus(OperationStatusCode.FAILURE,
                            FENCED + " row " + Bytes.toStringBinary(mutation.getRow()) + ": " + refusal));
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            release();
            throw e;
        }
    }

    @Override
    public void postBatchMutateIndispensably(ObserverContext<RegionCoprocessorEnvironment> ctx,
            MiniBatchOperationInProgress<Mutation> batch, boolean success) {
        release();
    }

    private void lockRows(MiniBatchOperationInProgress<Mutation> batch) throws IOException {
        TreeSet<Integer> needed = new TreeSet<>();
        for (int i = 0; i < batch.size(); i++) {
            needed.add(Math.floorMod(Arrays.hashCode(batch.getOperation(i).getRow()), STRIPES));
        }
        List<ReentrantLock> locks = held.get();
        try {
            for (int stripe : needed) { // in ascending order, so two batches cannot wait on each other
                ReentrantLock lock = stripes[stripe];
                if (!lock.tryLock(LOCK_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    throw new IOException("FenceObserver: a row lock was held for over " + LOCK_WAIT_SECONDS + " s");
                }
                locks.add(lock);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            release();
            throw new java.io.InterruptedIOException("interrupted while locking rows");
        } catch (IOException e) {
            release();
            throw e;
        }
    }

    private void release() {
        List<ReentrantLock> locks = held.get();
        for (int i = locks.size() - 1; i >= 0; i--) {
            locks.get(i).unlock();
        }
        locks.clear();
    }

    private byte[] read(Region region, byte[] row) throws IOException {
        Result result = region.get(new Get(row).addColumn(family, qualifier));
        return result.getValue(family, qualifier);
    }

    /** The value a put writes to the fence cell; null if it writes none. */
    private byte[] writtenFence(Mutation put) {
        List<Cell> cells = put.getFamilyCellMap().get(family);
        if (cells == null) {
            return null;
        }
        byte[] value = null;
        for (Cell cell : cells) {
            if (CellUtil.matchingQualifier(cell, qualifier)) {
                value = CellUtil.cloneValue(cell);
            }
        }
        return value;
    }
}
