package io.duet.app.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.hadoop.hbase.CompareOperator;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.CheckAndMutate;
import org.apache.hadoop.hbase.client.CheckAndMutateResult;
import org.apache.hadoop.hbase.client.CoprocessorDescriptor;
import org.apache.hadoop.hbase.client.CoprocessorDescriptorBuilder;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.TableDescriptor;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * The client side of {@link FenceMode#COPROCESSOR}: a commit's {@code checkAndMutate} (conditional on the
 * writer cell) becomes its plain put carrying the expected writer cell as an attribute, and the
 * coprocessor's refusal becomes the unsuccessful {@link CheckAndMutateResult} a failed condition gives, so
 * that everything after the write is the same in both modes.
 *
 * <p>The names below are {@code io.duet.hbase.fence.FenceObserver}'s (deploy/hbase-fence), which this
 * module cannot depend on: it runs in HBase.
 */
final class FenceCoprocessor {
    /** The coprocessor's class, on the region servers' classpath. */
    static final String OBSERVER = "io.duet.hbase.fence.FenceObserver";
    /** The mutation attribute with the fence value (writer cell) a write requires. */
    static final String ATTRIBUTE = "duet.fence";
    /** How the message of a write the coprocessor refused starts. */
    static final String FENCED = "duet-fenced:";

    private FenceCoprocessor() {
    }

    /** The coprocessor as the couples table names it: the fence cell is the owner family's writer cell. */
    static CoprocessorDescriptor descriptor() {
        return CoprocessorDescriptorBuilder.newBuilder(OBSERVER)
                .setProperty("duet.fence.family", Bytes.toString(HBaseSchema.OWNER))
                .setProperty("duet.fence.qualifier", Bytes.toString(HBaseSchema.WRITER))
                .build();
    }

    /** Whether {@code table} loads the coprocessor. */
    static boolean installedOn(TableDescriptor table) {
        return table.hasCoprocessor(OBSERVER);
    }

    /**
     * The put of a commit, fenced by the coprocessor instead: the same cells, and the condition's value as
     * {@link #ATTRIBUTE}. Only a commit's condition (the writer cell equals a value) can be carried so.
     */
    static Put fencedPut(CheckAndMutate commit) {
        if (commit.hasFilter() || commit.getCompareOp() != CompareOperator.EQUAL || commit.getValue() == null
                || !Bytes.equals(commit.getFamily(), HBaseSchema.OWNER)
                || !Bytes.equals(commit.getQualifier(), HBaseSchema.WRITER) || commit.getTimeRange() == null
                || !commit.getTimeRange().isAllTime() || !(commit.getAction() instanceof Put)) {
            throw new IllegalArgumentException("not a commit (a put conditional on the writer cell): " + commit);
        }
        Put put = (Put) commit.getAction();
        put.setAttribute(ATTRIBUTE, commit.getValue());
        return put;
    }

    /** Sends commits as fenced puts in one batch; each result as {@code checkAndMutate} would give it. */
    static List<CompletableFuture<CheckAndMutateResult>> send(AsyncTable<?> table, List<CheckAndMutate> commits) {
        List<Put> puts = new ArrayList<>(commits.size());
        for (CheckAndMutate commit : commits) {
            puts.add(fencedPut(commit));
        }
        List<CompletableFuture<CheckAndMutateResult>> results = new ArrayList<>(puts.size());
        for (CompletableFuture<Object> written : table.<Object>batch(puts)) {
            results.add(written.handle((ignored, failure) -> {
                if (failure == null) {
                    return new CheckAndMutateResult(true, null);
                }
                if (isFenced(failure)) {
                    return new CheckAndMutateResult(false, null);
                }
                throw failure instanceof CompletionException ? (CompletionException) failure : new CompletionException(failure);
            }));
        }
        return results;
    }

    /** Whether a write failed because the coprocessor refused it: its message is in the failure's causes. */
    static boolean isFenced(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t.getMessage() != null && t.getMessage().contains(FENCED)) {
                return true;
            }
        }
        return false;
    }
}
