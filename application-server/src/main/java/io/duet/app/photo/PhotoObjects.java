package io.duet.app.photo;

import java.io.IOException;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;

/**
 * The photos' bucket, through the AWS SDK's blocking client: every method blocks, so call them on the
 * photo workers only. Presigning computes signatures locally, but may fetch credentials (instance profile)
 * on the way, so it runs there too.
 */
final class PhotoObjects implements AutoCloseable {
    private final String bucket;
    private final S3Client client;
    private final S3Presigner presigner;
    private final BatchDeletes deletes = new BatchDeletes();

    PhotoObjects(S3Settings settings) {
        this.bucket = settings.bucket;
        AwsCredentialsProvider credentials = settings.accessKey == null ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey, settings.secretKey));
        Region region = Region.of(settings.region);
        var clientBuilder = S3Client.builder().region(region).credentialsProvider(credentials)
                .forcePathStyle(settings.pathStyle);
        var presignerBuilder = S3Presigner.builder().region(region).credentialsProvider(credentials)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle).build());
        if (settings.endpoint != null) {
            clientBuilder.endpointOverride(settings.endpoint);
            presignerBuilder.endpointOverride(settings.endpoint);
        }
        this.client = clientBuilder.build();
        this.presigner = presignerBuilder.build();
    }

    /** A PUT of exactly {@code size} bytes to {@code key}, valid for {@code lifetime}. */
    Presigned presignPut(String key, long size, Duration lifetime) {
        PresignedPutObjectRequest put = presigner.presignPutObject(request -> request.signatureDuration(lifetime)
                .putObjectRequest(object -> object.bucket(bucket).key(key).contentLength(size)));
        Map<String, String> headers = new LinkedHashMap<>();
        put.signedHeaders().forEach((name, values) -> headers.put(name, String.join(",", values)));
        return new Presigned(put.url(), headers, put.expiration());
    }

    /** A GET of {@code key}, valid for {@code lifetime}. */
    Presigned presignGet(String key, Duration lifetime) {
        var get = presigner.presignGetObject(request -> request.signatureDuration(lifetime)
                .getObjectRequest(object -> object.bucket(bucket).key(key)));
        return new Presigned(get.url(), Map.of(), get.expiration());
    }

    /** The object's size, or -1 when there is no such object. */
    long size(String key) {
        try {
            return client.headObject(request -> request.bucket(bucket).key(key)).contentLength();
        } catch (NoSuchKeyException e) {
            return -1;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return -1;
            }
            throw e;
        }
    }

    /** The object's bytes; fails when it has more than {@code maxBytes}. */
    byte[] read(String key, int maxBytes) throws IOException {
        try (ResponseInputStream<GetObjectResponse> in = client.getObject(request -> request.bucket(bucket).key(key))) {
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new IOException("object " + key + " has more than " + maxBytes + " bytes");
            }
            return bytes;
        }
    }

    void put(String key, byte[] bytes, String contentType) {
        client.putObject(request -> request.bucket(bucket).key(key).contentType(contentType)
                .contentLength((long) bytes.length), RequestBody.fromBytes(bytes));
    }

    /** An object found by {@link #list}. */
    record Listed(String key, Instant lastModified) {
    }

    /**
     * Up to {@code max} objects whose keys start with {@code prefix}, in key order, after {@code startAfter}
     * (null: from the first).
     */
    List<Listed> list(String prefix, String startAfter, int max) {
        List<Listed> found = new ArrayList<>();
        String next = null;
        do {
            ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(bucket).prefix(prefix)
                    .maxKeys(Math.min(1000, max - found.size()));
            if (next != null) {
                request.continuationToken(next);
            } else if (startAfter != null) {
                request.startAfter(startAfter);
            }
            ListObjectsV2Response page = client.listObjectsV2(request.build());
            for (S3Object object : page.contents()) {
                if (found.size() < max) {
                    found.add(new Listed(object.key(), object.lastModified()));
                }
            }
            next = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (next != null && found.size() < max);
        return found;
    }

    /**
     * Deletes the keys with as few {@code DeleteObjects} requests as S3 allows (up to 1,000 keys each),
     * retrying what failed ({@link BatchDeletes}); a missing object is no error. Throws {@link
     * ObjectsNotDeletedException} naming the keys still there after the retries (the others are gone).
     */
    void delete(Collection<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        BatchDeletes.Outcome outcome = deletes.deleteAll(keys, this::deleteBatch);
        if (!outcome.complete()) {
            throw new ObjectsNotDeletedException(outcome.failed(), outcome.deleted() + outcome.failed().size());
        }
    }

    /** One {@code DeleteObjects} request, in quiet mode: the response lists only the keys it failed. */
    private Map<String, String> deleteBatch(List<String> keys) {
        List<ObjectIdentifier> objects = new ArrayList<>(keys.size());
        keys.forEach(key -> objects.add(ObjectIdentifier.builder().key(key).build()));
        DeleteObjectsResponse response = client.deleteObjects(request -> request.bucket(bucket)
                .delete(delete -> delete.objects(objects).quiet(true)));
        Map<String, String> failed = new LinkedHashMap<>();
        for (S3Error error : response.errors()) {
            if (!"NoSuchKey".equals(error.code())) {
                failed.put(error.key(), error.code() + ": " + error.message());
            }
        }
        return failed;
    }

    @Override
    public void close() {
        presigner.close();
        client.close();
    }

    /** A presigned request: its URL, the headers it must carry, and when it expires. */
    static final class Presigned {
        final URL url;
        final Map<String, String> headers;
        final Instant expiration;

        Presigned(URL url, Map<String, String> headers, Instant expiration) {
            this.url = url;
            this.headers = headers;
            this.expiration = expiration;
        }
    }
}
