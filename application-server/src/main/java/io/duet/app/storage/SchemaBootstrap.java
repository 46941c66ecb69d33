package io.duet.app.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.hadoop.hbase.InvalidFamilyOperationException;
import org.apache.hadoop.hbase.NamespaceExistException;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.TableExistsException;
import org.apache.hadoop.hbase.client.AsyncAdmin;
import org.apache.hadoop.hbase.client.ColumnFamilyDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the namespace and tables at first start, if missing, and adds the column families a newer
 * release brought to tables made before it (the couple's space family, for example). Several application
 * servers may start at once: losing the race to create a table or add a family is success.
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
                return ensureFamilies(admin, spec);
            }
            LOG.info("Creating table {} ({} regions)", spec.descriptor.getTableName(),
                    spec.splits == null ? 1 : spec.splits.length + 1);
            CompletableFuture<Void> created = spec.splits == null
                    ? admin.createTable(spec.descriptor)
                    : admin.createTable(spec.descriptor, spec.splits);
            return created.exceptionally(e -> ignore(e, TableExistsException.class));
        });
    }

    private static CompletableFuture<Void> ensureFamilies(AsyncAdmin admin, HBaseSchema.TableSpec spec) {
        TableName table = spec.descriptor.getTableName();
        return admin.getDescriptor(table).thenCompose(existing -> {
            List<CompletableFuture<Void>> added = new ArrayList<>();
            for (ColumnFamilyDescriptor family : spec.descriptor.getColumnFamilies()) {
                if (!existing.hasColumnFamily(family.getName())) {
                    LOG.info("Adding column family {} to table {}", family.getNameAsString(), table);
                    added.add(admin.addColumnFamily(table, family)
                            .exceptionally(e -> ignore(e, InvalidFamilyOperationException.class)));
                }
            }
            return CompletableFuture.allOf(added.toArray(new CompletableFuture<?>[0]));
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
