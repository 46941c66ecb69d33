package io.duet.app.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.app.StorageCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every test of {@link CoupleStoreIT} again, with commits fenced by the {@code FenceObserver} coprocessor
 * in the local HBase ({@link FenceMode#COPROCESSOR}), and what only that mode has.
 */
class CoupleStoreCoprocessorIT extends CoupleStoreIT {
    @BeforeAll
    static void startHBase() throws Exception {
        start(FenceMode.COPROCESSOR);
    }

    @Test
    void theCouplesTableLoadsTheCoprocessor() throws Exception {
        assertThat(FenceCoprocessor.installedOn(await(StorageCluster.connection().getAdmin()
                .getDescriptor(schema.couples())))).isTrue();
    }

    @Test
    void ofTwoCommitsExpectingTheSameLastSequenceInOneGroupOnlyOneIsStored() throws Exception {
        long id = newCouple();
        CoupleSnapshot owner = await(store.claim(id, 1, 10));
        // Commits of one couple are never out together in Duet; here they race, and the fence decides.
        List<CompletableFuture<Void>> racing = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            racing.add(store.commit(id, owner.fence(), 0, messages(1, 1 + i), Map.of()));
        }
        int stored = 0;
        for (CompletableFuture<Void> commit : racing) {
            try {
                commit.get(30, TimeUnit.SECONDS);
                stored++;
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e).hasCauseInstanceOf(FencedException.class);
            }
        }
        assertThat(stored).isEqualTo(1);
    }

    @Test
    void aServerInCoprocessorModeRefusesACouplesTableWithoutIt() throws Exception {
        HBaseSchema plain = StorageCluster.freshSchema(8, FenceMode.CHECK_AND_MUTATE);
        HBaseSchema fenced = new HBaseSchema(plain.namespace(), plain.shardCount(), HBaseSchema.DEFAULT_PRE_SPLIT,
                FenceMode.COPROCESSOR);
        assertThatThrownBy(() -> SchemaBootstrap.ensure(StorageCluster.connection().getAdmin(), fenced)
                .get(60, TimeUnit.SECONDS)).hasCauseInstanceOf(SchemaMismatchException.class);
    }
}
