package io.duet.deploy.local;

import io.duet.deploy.local.pki.ClusterCa;
import io.duet.security.SecretFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TLS on a local cluster's client ports ({@link LocalClusterBuilder#clientTls}), with the files a
 * production deployment supplies: one certificate for the endpoint (signed by the cluster's CA, naming
 * localhost and 127.0.0.1), its key, and one session-ticket key file that every presentation server
 * reads, so a client resumes its TLS session on whichever server HAProxy picks. HAProxy passes the client
 * TCP port through (TCP mode); for HTTP it terminates TLS with the same certificate and speaks TLS to the
 * presentation servers, checking them against the CA, as an ALB with HTTPS targets does.
 *
 * @param haproxyCertificate the certificate and key in one file, as HAProxy's {@code crt} takes them
 */
record LocalClientTls(Path certificate, Path key, Path ca, Path ticketKeys, Path haproxyCertificate) {
    static final String NODE_NAME = "client-endpoint";

    /** The files under the CA's folder and {@code confDir}, made now where missing. */
    static LocalClientTls loadOrCreate(ClusterCa ca, Path confDir) throws IOException {
        ClusterCa.NodeCredentials credentials = ca.issue(NODE_NAME);
        Path ticketKeys = confDir.resolve("tls-ticket-keys");
        if (!Files.exists(ticketKeys)) {
            byte[] key = new byte[48];
            new SecureRandom().nextBytes(key);
            SecretFiles.writePrivate(ticketKeys, "# client.tls.ticket-keys: newest first (openssl rand -base64 48)\n"
                    + Base64.getEncoder().encodeToString(key) + "\n");
        }
        Path haproxy = credentials.key().resolveSibling(NODE_NAME + ".haproxy.pem");
        SecretFiles.writePrivate(haproxy, Files.readString(credentials.certificate(), StandardCharsets.US_ASCII)
                + Files.readString(credentials.key(), StandardCharsets.US_ASCII));
        return new LocalClientTls(credentials.certificate(), credentials.key(), credentials.ca(), ticketKeys, haproxy);
    }

    /** What every presentation server's settings get: the same keys production uses. */
    Map<String, String> presentationSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("client.tls.enabled", "true");
        settings.put("client.tls.cert", certificate.toString());
        settings.put("client.tls.key", key.toString());
        settings.put("client.tls.ticket-keys", ticketKeys.toString());
        return settings;
    }
}
