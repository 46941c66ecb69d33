package io.duet.app.storage;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.hbase.CompareOperator;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.Delete;
import org.apache.hadoop.hbase.client.Mutation;
import org.apache.hadoop.hbase.io.TimeRange;
import org.apache.hadoop.hbase.protobuf.ProtobufUtil;
import org.apache.hadoop.hbase.protobuf.generated.ClientProtos.MutationProto.MutationType;
import org.apache.hadoop.hbase.protobuf.generated.MultiRowMutationProtos.MultiRowMutationService;
import org.apache.hadoop.hbase.protobuf.generated.MultiRowMutationProtos.MutateRowsRequest;
import org.apache.hadoop.hbase.protobuf.generated.MultiRowMutationProtos.MutateRowsResponse;

/**
 * Puts and deletes of several rows of one region as one atomic write, under one condition, through HBase's
 * own {@code MultiRowMutationEndpoint} ({@link HBaseSchema#MULTI_ROW_ENDPOINT}), which the table must load.
 * HBase locks the rows, checks the condition and writes all or nothing.
 */
final class MultiRowWrites {
    private MultiRowWrites() {
    }

    /**
     * Writes {@code mutations} if cell {@code family:qualifier} of {@code conditionRow} equals {@code value};
     * completes with false (nothing written) if it does not. All rows must be in one region.
     */
    static CompletableFuture<Boolean> ifEquals(AsyncTable<?> table, byte[] conditionRow, byte[] family,
            byte[] qualifier, byte[] value, List<? extends Mutation> mutations) {
        MutateRowsRequest request;
        try {
            MutateRowsRequest.Builder builder = MutateRowsRequest.newBuilder();
            for (Mutation mutation : mutations) {
                builder.addMutationRequest(ProtobufUtil.toMutation(
                        mutation instanceof Delete ? MutationType.DELETE : MutationType.PUT, mutation));
            }
            builder.addCondition(ProtobufUtil.toCondition(conditionRow, family, qualifier, CompareOperator.EQUAL,
                    value, TimeRange.allTime()));
            request = builder.build();
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return table.<MultiRowMutationService.Stub, MutateRowsResponse>coprocessorService(MultiRowMutationService::newStub,
                (stub, controller, done) -> stub.mutateRows(controller, request, done), conditionRow)
                .thenApply(MutateRowsResponse::getProcessed);
    }
}
