package io.duet.app.space;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.app.StorageCluster;
import io.duet.app.storage.CoupleStore;
import io.duet.app.storage.CoupleStoreSettings;
import io.duet.app.storage.FencedException;
import io.duet.app.storage.HBaseSchema;
import io.duet.app.storage.NewerRelease;
import io.duet.app.storage.PhotoRows;
import io.duet.app.storage.SpaceStore;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Photo;
import io.duet.protocol.api.PhotoList;
import io.duet.protocol.cluster.Shards;
import io.duet.protocol.storage.StoredPhoto;
import io.duet.protocol.thrift.ThriftCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.hbase.Cell;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.client.Scan;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Photos' metadata in the photos table of a real HBase: listing in pages newest first, the cap, the
 * owner's fence (a deposed owner's write is refused, the next owner sees every photo), the move of an
 * older release's photo cells out of the couple row (in batches of {@value #BATCH}, resumed after a crash,
 * keeping fields this release does not know), and a couple row that does not grow with photos.
 */
class PhotoBookIT {
    private static final int BATCH = 50;
    private static final AtomicLong IDS = new AtomicLong(9000);
    private static CoupleStore store;
    private static HBaseSchema schema;
    private static AsyncTable<?> couples;

    @BeforeAll
    static void startHBase() throws Exception {
        schema = StorageCluster.freshSchema(8);
        store = new CoupleStore(StorageCluster.connection(), schema, StorageCluster.callbacks(),
                CoupleStoreSettings.builder().photoMigrationBatch(BATCH).build());
        couples = StorageCluster.connection().getTable(schema.couples());
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(60, TimeUnit.SECONDS);
    }

    /** Runs a step as the couple's space does: its reads, then its write under {@code fence}. */
    private static <T> T run(Step<T> step, long fence) throws Exception {
        while (step.reads()) {
            try {
                step = await(step.next()).make();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }
        if (step.writes()) {
            try {
                await(step.write(fence));
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
            step.apply();
        }
        return step.result();
    }

    private record Owner(long coupleId, long fence, PhotoBook book) {
        <T> T run(Step<T> step) throws Exception {
            return PhotoBookIT.run(step, fence);
        }
    }

    private static Owner newCouple(int maxPhotos) throws Exception {
        long coupleId = IDS.incrementAndGet();
        assertThat(await(store.create(coupleId, 1, 2, 0))).isTrue();
        return claim(coupleId, 1, maxPhotos);
    }

    private static Owner claim(long coupleId, long epoch, int maxPhotos) throws Exception {
        long fence = await(store.claim(coupleId, epoch, 10)).fence();
        return new Owner(coupleId, fence, new PhotoBook(coupleId, store.photos(), store.photoMigration(),
                SpaceLimits.builder().maxPhotos(maxPhotos).build(), () -> fence));
    }

    private static String id(int n) {
        return String.format("%032x", n);
    }

    private static StoredPhoto photo(long uploadedAt) {
        return new StoredPhoto().setWidth(40).setHeight(30).setUploadedBy(11).setUploadedAtMillis(uploadedAt)
                .setContentType("image/jpeg").setSizeBytes(1234).setObjectKeys(Map.of(1, "photos/k" + uploadedAt));
    }

    private static List<String> listAll(Owner owner, int pageSize) throws Exception {
        List<String> ids = new ArrayList<>();
        String cursor = null;
        do {
            PhotoList page = owner.run(owner.book().list(pageSize, cursor));
            assertThat(page.getPhotos().size()).isLessThanOrEqualTo(pageSize);
            page.getPhotos().forEach(p -> ids.add(p.getPhotoId()));
            cursor = page.isSetNextCursor() ? page.getNextCursor() : null;
        } while (cursor != null);
        return ids;
    }

    /** Makes a step; a book checks what it has in memory (the count) while it makes one. */
    @FunctionalInterface
    private interface StepMaker {
        Step<?> make() throws Exception;
    }

    private static void expectError(ErrorCode code, StepMaker step, long fence) {
        assertThatThrownBy(() -> run(step.make(), fence)).isInstanceOfSatisfying(DuetError.class,
                e -> assertThat(e.getCode()).isEqualTo(code));
    }

    private static byte[] coupleRow(long coupleId) {
        return HBaseSchema.coupleRow(Shards.shardOf(coupleId, schema.shardCount()), coupleId);
    }

    /** The couple row's stored size: every cell's key and value. */
    private static long coupleRowBytes(long coupleId) throws Exception {
        Result row = await(couples.get(new Get(coupleRow(coupleId))));
        long bytes = 0;
        for (Cell cell : row.rawCells()) {
            bytes += cell.getRowLength() + cell.getFamilyLength() + cell.getQualifierLength() + cell.getValueLength();
        }
        return bytes;
    }

    private static int oldPhotoCells(long coupleId) throws Exception {
        return await(store.photoMigration().old(coupleId, Integer.MAX_VALUE)).size();
    }

    @Test
    void photosAreListedNewestFirstInPagesAndDeletedOnesAreGone() throws Exception {
        Owner owner = newCouple(100);
        for (int n = 1; n <= 7; n++) {
            Photo added = owner.run(owner.book().add(id(n), photo(n <= 3 ? 1000 : 1000 + n)));
            assertThat(added.getPhotoId()).isEqualTo(id(n));
        }
        // Newest first; the three of one time by id.
        assertThat(listAll(owner, 2)).containsExactly(id(7), id(6), id(5), id(4), id(1), id(2), id(3));
        assertThat(listAll(owner, PhotoBook.MAX_PAGE)).hasSize(7);
        assertThat(owner.book().size()).isEqualTo(7);

        StoredPhoto removed = owner.run(owner.book().remove(id(5), 11));
        assertThat(removed.getUploadedAtMillis()).isEqualTo(1005);
        assertThat(listAll(owner, 3)).containsExactly(id(7), id(6), id(4), id(1), id(2), id(3));
        expectError(ErrorCode.NOT_FOUND, () -> owner.book().get(id(5)), owner.fence());
        expectError(ErrorCode.NOT_FOUND, () -> owner.book().remove(id(5), 11), owner.fence());
        expectError(ErrorCode.NOT_FOUND, () -> owner.book().get("not-a-photo-id"), owner.fence());
        expectError(ErrorCode.INVALID_ARGUMENT, () -> owner.book().list(2, id(5)), owner.fence());
        expectError(ErrorCode.ALREADY_EXISTS, () -> owner.book().add(id(4), photo(1)), owner.fence());
        assertThat(owner.run(owner.book().findAll(List.of(id(1), id(5), "x")))).containsOnlyKeys(id(1));

        // The next owner reads the same, count included.
        Owner next = claim(owner.coupleId(), 2, 100);
        assertThat(listAll(next, 4)).containsExactly(id(7), id(6), id(4), id(1), id(2), id(3));
        next.run(next.book().checkRoom());
        assertThat(next.book().size()).isEqualTo(6);
    }

    @Test
    void aCoupleKeepsAtMostItsLimitOfPhotosAndAFinishedUploadIsFoundAgain() throws Exception {
        Owner owner = newCouple(3);
        for (int n = 1; n <= 3; n++) {
            assertThat(owner.run(owner.book().madeOrRoom(id(n)))).isNull();
            owner.run(owner.book().add(id(n), photo(n)));
        }
        assertThat(owner.run(owner.book().madeOrRoom(id(2))).getUploadedAtMillis()).as("a retry finds its photo").isEqualTo(2);
        expectError(ErrorCode.LIMIT_REACHED, () -> owner.book().checkRoom(), owner.fence());
        expectError(ErrorCode.LIMIT_REACHED, () -> owner.book().madeOrRoom(id(4)), owner.fence());
        expectError(ErrorCode.LIMIT_REACHED, () -> owner.book().add(id(4), photo(4)), owner.fence());
        owner.run(owner.book().remove(id(1), 11));
        owner.run(owner.book().add(id(4), photo(4)));
    }

    @Test
    void aDeposedOwnersPhotoWritesAreRefusedAndTheNewOwnerSeesWhatItWroteBefore() throws Exception {
        Owner old = newCouple(100);
        old.run(old.book().add(id(1), photo(1)));
        Step<Photo> late = old.book().add(id(2), photo(2));
        Step<Void> lateCaption = old.book().caption(id(1), "late", owner -> CompletableFuture.completedFuture(null));

        Owner current = claim(old.coupleId(), 2, 100);
        assertThat(listAll(current, 10)).containsExactly(id(1));

        assertThatThrownBy(() -> run(late, old.fence())).isInstanceOf(FencedException.class);
        assertThatThrownBy(() -> run(lateCaption, old.fence())).isInstanceOf(FencedException.class);
        Owner fresh = new Owner(old.coupleId(), old.fence(), new PhotoBook(old.coupleId(), store.photos(),
                store.photoMigration(), SpaceLimits.defaults(), old::fence));
        assertThatThrownBy(() -> run(fresh.book().checkRoom(), old.fence())).as("nor can it claim them again")
                .isInstanceOf(FencedException.class);
        assertThat(listAll(current, 10)).containsExactly(id(1));
        assertThat(current.run(current.book().get(id(1))).isSetCaption()).isFalse();
    }

    @Test
    void aClosedCouplesPhotoRowsArePurgedInBatchesDownToItsClosedHead() throws Exception {
        Owner owner = newCouple(2000);
        int photos = 600; // 1,200 photo and index rows: more than one purge batch
        for (int n = 1; n <= photos; n++) {
            owner.run(owner.book().add(id(n), photo(n)));
        }
        assertThat(await(store.closures().close(owner.coupleId(), 1, 0))).isTrue();
        assertThat(await(store.closures().closedPhotos(owner.coupleId()))).hasSize(photos);

        await(store.closures().purge(owner.coupleId()));

        byte[] couple = coupleRow(owner.coupleId());
        List<Result> left = await(StorageCluster.connection().getTable(schema.photos())
                .scanAll(new Scan().setStartStopRowForPrefixScan(couple)));
        assertThat(left).extracting(Result::getRow).containsExactly(PhotoRows.head(couple));
    }

    @Test
    void theNewOwnersClaimAloneRefusesTheDeposedOwnersPhotoWrites() throws Exception {
        Owner old = newCouple(100);
        old.run(old.book().add(id(1), photo(1)));
        old.run(old.book().add(id(2), photo(2)));

        // The new owner claims the couple and makes no photo call: the old one's writes are refused anyway.
        Owner current = claim(old.coupleId(), 2, 100);
        assertThatThrownBy(() -> old.run(old.book().remove(id(1), 11))).isInstanceOf(FencedException.class);
        assertThatThrownBy(() -> old.run(old.book().add(id(3), photo(3)))).isInstanceOf(FencedException.class);

        assertThat(listAll(current, 10)).containsExactly(id(2), id(1));
    }

    @Test
    void anOlderReleasesPhotoCellsMoveOutOfTheCoupleRowWithNothingLostEvenAfterACrash() throws Exception {
        Owner old = newCouple(100_000);
        int photos = 5 * BATCH + 7;
        Put legacy = new Put(coupleRow(old.coupleId()));
        byte[] withUnknownField = null;
        for (int n = 1; n <= photos; n++) {
            byte[] record = ThriftCodec.INTERNAL.encode(photo(n));
            if (n == 17) {
                record = withUnknownField = NewerRelease.withUnknownField(record);
            }
            legacy.addColumn(HBaseSchema.SPACE, SpaceStore.photoQualifier(id(n)), record);
        }
        await(couples.put(legacy));
        long before = coupleRowBytes(old.coupleId());
        assertThat(oldPhotoCells(old.coupleId())).isEqualTo(photos);

        // A first owner moves them all, but "crashes" after copying its first batch and before deleting it
        // from the couple row: those cells are back.
        assertThat(await(store.photos().claim(old.coupleId(), old.fence()))).isZero();
        assertThat(await(store.photoMigration().migrate(old.coupleId(), old.fence(), 0))).isEqualTo(photos);
        Put reAdded = new Put(coupleRow(old.coupleId()));
        for (int n = 1; n <= BATCH; n++) {
            reAdded.addColumn(HBaseSchema.SPACE, SpaceStore.photoQualifier(id(n)), ThriftCodec.INTERNAL.encode(photo(n)));
        }
        await(couples.put(reAdded));
        assertThat(oldPhotoCells(old.coupleId())).isEqualTo(BATCH);

        // The next owner finishes on its first photo call: every photo once, counted once.
        Owner next = claim(old.coupleId(), 2, 100_000);
        List<String> listed = listAll(next, 100);
        assertThat(listed).hasSize(photos).doesNotHaveDuplicates();
        assertThat(listed.get(0)).isEqualTo(id(photos));
        assertThat(next.book().size()).isEqualTo(photos);
        assertThat(oldPhotoCells(old.coupleId())).isZero();
        assertThat(coupleRowBytes(old.coupleId())).isLessThan(before / 10);

        // Bytes as they were, a field this release does not know included; and they survive a caption edit.
        Result row = await(StorageCluster.connection().getTable(schema.photos()).get(new Get(
                PhotoRows.photo(coupleRow(old.coupleId()), id(17)))));
        assertThat(row.getValue(HBaseSchema.SPACE, HBaseSchema.PHOTO_RECORD)).isEqualTo(withUnknownField);
        next.run(next.book().caption(id(17), "new caption", owner -> CompletableFuture.completedFuture(null)));
        Result edited = await(StorageCluster.connection().getTable(schema.photos()).get(new Get(
                PhotoRows.photo(coupleRow(old.coupleId()), id(17)))));
        byte[] value = edited.getValue(HBaseSchema.SPACE, HBaseSchema.PHOTO_RECORD);
        assertThat(ThriftCodec.INTERNAL.decode(value, new StoredPhoto()).getCaption()).isEqualTo("new caption");
        assertThat(value).endsWith((byte) 0x01, (byte) 'x', (byte) 0);
    }

    /**
     * The couple row of a couple of many photos in the old layout, and once moved ({@code
     * -Dduet.photos.large=20000} for the ten-year couple; 2,000 in CI), printed for BENCHMARKS.md.
     */
    @Test
    void aCoupleRowOfManyOldPhotosKeepsOnlyItsSmallStateOnceMoved() throws Exception {
        int photos = Integer.getInteger("duet.photos.large", 2_000);
        Owner claimed = newCouple(SpaceLimits.DEFAULT_MAX_PHOTOS);
        // Moves in batches of the default size.
        CoupleStore defaults = new CoupleStore(StorageCluster.connection(), schema, StorageCluster.callbacks(),
                CoupleStoreSettings.defaults());
        Owner owner = new Owner(claimed.coupleId(), claimed.fence(), new PhotoBook(claimed.coupleId(), defaults.photos(),
                defaults.photoMigration(), SpaceLimits.defaults(), claimed::fence));
        for (int from = 1; from <= photos; from += 1000) {
            Put legacy = new Put(coupleRow(owner.coupleId()));
            for (int n = from; n < Math.min(from + 1000, photos + 1); n++) {
                legacy.addColumn(HBaseSchema.SPACE, SpaceStore.photoQualifier(id(n)),
                        ThriftCodec.INTERNAL.encode(photo(n).setCaption("a caption of some forty characters, say")
                                .setObjectKeys(Map.of(1, "photos/" + id(n), 2, "photos/" + id(n + photos),
                                        3, "photos/" + id(n + 2 * photos)))));
            }
            await(couples.put(legacy));
        }
        long oldLayout = coupleRowBytes(owner.coupleId());
        long started = System.nanoTime();
        owner.run(owner.book().checkRoom());
        long movedMillis = (System.nanoTime() - started) / 1_000_000;
        long newLayout = coupleRowBytes(owner.coupleId());
        System.out.printf("PhotoBookIT: couple row with %,d photos: %,d bytes in the old layout, %,d once moved "
                + "(%,d ms for the move, batches of %d)%n", photos, oldLayout, newLayout, movedMillis,
                CoupleStoreSettings.DEFAULT_PHOTO_MIGRATION_BATCH);
        assertThat(owner.book().size()).isEqualTo(photos);
        assertThat(newLayout).isLessThan(1_000);
        assertThat(oldLayout).isGreaterThan(photos * 200L);
        // A page deep in the list reads as one near the top.
        PhotoList deep = owner.run(owner.book().list(100, id(photos / 2)));
        assertThat(deep.getPhotos()).extracting(Photo::getPhotoId).startsWith(id(photos / 2 - 1)).hasSize(100);
    }

    @Test
    void theCoupleRowDoesNotGrowWithPhotos() throws Exception {
        Owner owner = newCouple(1000);
        owner.run(owner.book().checkRoom());
        long before = coupleRowBytes(owner.coupleId());
        for (int n = 1; n <= 200; n++) {
            owner.run(owner.book().add(id(n), photo(n)));
        }
        assertThat(coupleRowBytes(owner.coupleId())).isEqualTo(before);
        assertThat(listAll(owner, PhotoBook.MAX_PAGE)).hasSize(200);
    }

    @Test
    void aCaptionEditWhosePhotoWriteFailedIsAppliedFromItsPendingCaptionAtTheNextLoad() throws Exception {
        Owner owner = newCouple(10);
        owner.run(owner.book().add(id(1), photo(1).setCaption("old")));
        long coupleId = owner.coupleId();
        // The edit of the PHOTO message, with the photo's pending caption in the same write; the photo's own
        // write then fails (here: never runs).
        await(store.rewriteMessage(coupleId, owner.fence(), 1, new byte[] {1}, new byte[] {2}, id(1), "new"));
        assertThat(owner.run(owner.book().get(id(1))).getCaption()).isEqualTo("old");

        // The next owner's load finds it and applies it, then clears it.
        Owner next = claim(coupleId, 2, 10);
        Map<String, String> pending = await(store.space().load(coupleId)).captions();
        assertThat(pending).containsExactly(Map.entry(id(1), "new"));
        next.run(next.book().caption(id(1), "new",
                fence -> store.space().clearCaption(coupleId, fence, id(1), "new").thenApply(cleared -> null)));
        assertThat(next.run(next.book().get(id(1))).getCaption()).isEqualTo("new");
        assertThat(await(store.space().load(coupleId)).captions()).isEmpty();

        // A newer edit's pending caption is not cleared by an older one's, nor by a deposed owner.
        await(store.rewriteMessage(coupleId, next.fence(), 1, new byte[] {1}, new byte[] {3}, id(1), "newer"));
        assertThat(await(store.space().clearCaption(coupleId, next.fence(), id(1), "new"))).isFalse();
        assertThat(await(store.space().clearCaption(coupleId, owner.fence(), id(1), "newer"))).isFalse();
        assertThat(await(store.space().load(coupleId)).captions()).containsExactly(Map.entry(id(1), "newer"));
        assertThat(await(store.space().clearCaption(coupleId, next.fence(), id(1), "newer"))).isTrue();
        // An empty caption (removed) is pending like any other.
        await(store.rewriteMessage(coupleId, next.fence(), 1, new byte[] {1}, new byte[] {4}, id(1), ""));
        assertThat(await(store.space().load(coupleId)).captions()).containsExactly(Map.entry(id(1), ""));
    }

    @Test
    void anEditRightAfterItsPhotosPendingCaptionWasClearedStaysPending() throws Exception {
        Owner owner = newCouple(10);
        owner.run(owner.book().add(id(1), photo(1)));
        long coupleId = owner.coupleId();
        // Each clear is followed at once by the next edit, often within the same millisecond: the clear must not
        // hide the edit's pending caption (a delete marker stamped "now" would).
        for (int edit = 1; edit <= 50; edit++) {
            String caption = "edit " + edit;
            await(store.rewriteMessage(coupleId, owner.fence(), 1, new byte[] {1}, new byte[] {2}, id(1), caption));
            assertThat(await(store.space().load(coupleId)).captions()).as("after edit %d", edit)
                    .containsExactly(Map.entry(id(1), caption));
            assertThat(await(store.space().clearCaption(coupleId, owner.fence(), id(1), caption))).isTrue();
        }
        assertThat(await(store.space().load(coupleId)).captions()).isEmpty();
    }
}
