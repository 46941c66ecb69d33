package io.duet.app.push;

import io.duet.deploy.local.pki.ClusterCa;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A test server's TLS credentials, from a {@link ClusterCa} in a temporary folder: a certificate for
 * 127.0.0.1 and localhost, its EC P-256 key (PKCS#8 PEM, which is also what an APNs signing key looks
 * like), and the CA's certificate for clients to trust.
 */
record TestTls(Path certificate, Path key, Path ca) {
    static TestTls create(Path dir) throws IOException {
        ClusterCa.NodeCredentials node = ClusterCa.loadOrCreate(dir, "push-test-ca").issue("push-test");
        return new TestTls(node.certificate(), node.key(), node.ca());
    }

    /** A server-side context presenting the certificate. */
    SSLContext serverContext() throws IOException, GeneralSecurityException {
        Certificate cert;
        try (InputStream in = Files.newInputStream(certificate)) {
            cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        String pem = Files.readString(key, StandardCharsets.US_ASCII).replaceAll("-----[A-Z ]+-----", "");
        PrivateKey privateKey = KeyFactory.getInstance("EC")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(pem)));
        char[] password = "test".toCharArray();
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", privateKey, password, new Certificate[] {cert});
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }
}
