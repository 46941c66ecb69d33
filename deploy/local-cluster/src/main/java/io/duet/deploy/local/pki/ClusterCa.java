package io.duet.deploy.local.pki;

import io.duet.security.SecretFiles;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Objects;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority kept in one folder: {@code ca.pem} (its certificate) and {@code ca.key} (its
 * private key, mode 0600), made at first use and reused after. {@link #issue} signs a node's certificate,
 * {@code <node>.pem} and {@code <node>.key} beside them, valid for both ends of a TLS connection. Keys
 * are EC P-256, signatures ECDSA-SHA256, validity ten years: it is a development cluster's CA.
 */
public final class ClusterCa {
    private static final String ALGORITHM = "EC";
    private static final String CURVE = "secp256r1";
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final Duration VALIDITY = Duration.ofDays(3650);
    private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final X509Certificate certificate;
    private final PrivateKey key;

    private ClusterCa(Path dir, X509Certificate certificate, PrivateKey key) {
        this.dir = dir;
        this.certificate = certificate;
        this.key = key;
    }

    /** The CA in {@code dir}, made now (with {@code commonName}) if the folder holds none yet. */
    public static synchronized ClusterCa loadOrCreate(Path dir, String commonName) throws IOException {
        Files.createDirectories(dir);
        Path certFile = dir.resolve("ca.pem");
        Path keyFile = dir.resolve("ca.key");
        if (Files.exists(certFile) && Files.exists(keyFile)) {
            SecretFiles.checkPrivate("the cluster CA's key", keyFile);
            return new ClusterCa(dir, readCertificate(certFile), readKey(keyFile));
        }
        KeyPair pair = newKeyPair();
        X500Name name = new X500Name("CN=" + commonName);
        try {
            X509v3CertificateBuilder builder = builder(name, name, pair)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            X509Certificate certificate = sign(builder, pair.getPrivate());
            SecretFiles.writePrivate(keyFile, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
            Files.writeString(certFile, pem("CERTIFICATE", certificate.getEncoded()), StandardCharsets.US_ASCII);
            return new ClusterCa(dir, certificate, pair.getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot make a CA in " + dir, e);
        }
    }

    /** The CA's certificate: what every node trusts. */
    public Path certificateFile() {
        return dir.resolve("ca.pem");
    }

    /**
     * The credentials of node {@code nodeName}, signed now if the folder holds none yet. Its certificate
     * names the node in its subject and as a DNS name, with 127.0.0.1 and localhost.
     */
    public synchronized NodeCredentials issue(String nodeName) throws IOException {
        if (!NODE_NAME.matcher(nodeName).matches()) {
            throw new IllegalArgumentException("nodeName: " + nodeName + " (expected: letters, digits, '.', '_', '-')");
        }
        NodeCredentials credentials = new NodeCredentials(dir.resolve(nodeName + ".pem"),
                dir.resolve(nodeName + ".key"), certificateFile());
        if (Files.exists(credentials.certificate()) && Files.exists(credentials.key())) {
            return credentials;
        }
        KeyPair pair = newKeyPair();
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = builder(X500Name.getInstance(
                    certificate.getSubjectX500Principal().getEncoded()), new X500Name("CN=" + nodeName), pair)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                            new GeneralName(GeneralName.dNSName, nodeName),
                            new GeneralName(GeneralName.dNSName, "localhost"),
                            new GeneralName(GeneralName.iPAddress, "127.0.0.1")}))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            extensions.createAuthorityKeyIdentifier(certificate));
            X509Certificate signed = sign(builder, key);
            SecretFiles.writePrivate(credentials.key(), pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
            Files.writeString(credentials.certificate(), pem("CERTIFICATE", signed.getEncoded()),
                    StandardCharsets.US_ASCII);
            return credentials;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot issue a certificate for " + nodeName, e);
        }
    }

    private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair pair)
            throws CertIOException {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, RANDOM),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), subject, pair.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(SIGNATURE).build(signer)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static KeyPair newKeyPair() throws IOException {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
            generator.initialize(new ECGenParameterSpec(CURVE), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IOException(CURVE + " keys are not available", e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] unpem(Path file) throws IOException {
        String body = Files.readString(file, StandardCharsets.US_ASCII).replaceAll("-----[A-Z ]+-----", "");
        return Base64.getMimeDecoder().decode(body);
    }

    private static X509Certificate readCertificate(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the certificate " + file, e);
        }
    }

    private static PrivateKey readKey(Path file) throws IOException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(unpem(file)));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the private key " + file, e);
        }
    }

    /** A node's PEM files: its certificate, its private key (mode 0600) and the CA certificate it trusts. */
    public record NodeCredentials(Path certificate, Path key, Path ca) {
        public NodeCredentials {
            Objects.requireNonNull(certificate, "certificate");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(ca, "ca");
        }
    }
}
