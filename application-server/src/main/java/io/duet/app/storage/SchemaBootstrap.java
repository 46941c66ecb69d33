package io.duet.app.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.hadoop.hbase.NamespaceExistException;
import org.apache.hadoop.hbase.TableExistsException;
import org.apache.hadoop.hbase.client.AsyncAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the namespace and tables at first start, if missing. Several application servers may start
 * at once: losing the race to create a table is success.
 */
public final class SchemaBootstrap {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaBootstrap.class);

    private SchemaBootstrap() {
    }

    public static CompletableFuture<Void> ensure(AsyncAdmin admin, HBaseSchema schema) {
        return admin.createNamespace(schema.namespaceDescriptor())
                .exceptionally(e -> ignore(e, NamespaceExistException.class))
                .thenCompose(ignored -> {
                    List<CompletableFuture<Void>> tables = new ArrayList<>();
                    for (HBaseSchema.TableSpec spec : schema.tables()) {
                        tables.add(ensureTable(admin, spec));
                    }
                    return CompletableFuture.allOf(tables.toArray(new CompletableFuture<?>[0]));
                });
    }

    private static CompletableFuture<Void> ensureTable(AsyncAdmin admin, HBaseSchema.TableSpec spec) {
        return admin.tableExists(spec.descriptor.getTableName()).thenCompose(exists -> {
            if (exists) {
                return CompletableFuture.completedFuture(null);
            }
            LOG.info("Creating table {} ({} regions)", spec.descriptor.getTableName(),
                    spec.splits == null ? 1 : spec.splits.length + 1);
            CompletableFuture<Void> created = spec.splits == null
                    ? admin.createTable(spec.descriptor)
                    : admin.createTable(spec.descriptor, spec.splits);
            return created.exceptionally(e -> ignore(e, TableExistsException.class));
        });
    }

    private static Void ignore(Throwable e, Class<? extends Throwable> expected) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (expected.isInstance(cause)) {
            return null;
        }
        throw cause instanceof RuntimeException ? (RuntimeException) cause : new CompletionException(cause);
    }
}
