package org.interlude.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsCertificatesTest {

    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final char[] STORE_PASSWORD = "in-memory only".toCharArray();

    @TempDir
    Path dir;

    @Test
    void selfSignedCertificateParsesWithJdkAndHasTheRequiredProperties() throws Exception {
        TlsCertificates.SelfSignedFiles files = TlsCertificates.loadOrCreateSelfSigned(dir.resolve("tls"), List.of("chat.example.org", "10.0.0.5"));
        assertTrue(files.created());
        X509Certificate certificate;
        try (InputStream in = Files.newInputStream(files.certificate())) {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        assertEquals("SHA256withECDSA", certificate.getSigAlgName());
        assertEquals(256, ((ECPublicKey) certificate.getPublicKey()).getParams().getCurve().getField().getFieldSize());
        assertEquals(Duration.ofDays(825), Duration.between(certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant()));
        certificate.checkValidity();
        assertTrue(TlsCertificates.isSelfSigned(certificate));
        assertEquals(-1, certificate.getBasicConstraints(), "not a CA");
        assertTrue(certificate.getKeyUsage()[0], "digitalSignature");
        assertEquals(List.of(SERVER_AUTH), certificate.getExtendedKeyUsage());
        assertEquals(List.of("dns:localhost", "ip:127.0.0.1", "ip:0:0:0:0:0:0:0:1", "dns:chat.example.org", "ip:10.0.0.5"),
                subjectAltNames(certificate));

        String keyPem = Files.readString(files.privateKey());
        assertTrue(keyPem.startsWith("-----BEGIN PRIVATE KEY-----"), "PKCS#8");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.privateKey())));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.certificate())));
    }

    @Test
    void reuseDoesNotRegenerate() throws Exception {
        TlsCertificates.SelfSignedFiles first = TlsCertificates.loadOrCreateSelfSigned(dir, List.of());
        byte[] cert = Files.readAllBytes(first.certificate());
        byte[] key = Files.readAllBytes(first.privateKey());
        TlsCertificates.SelfSignedFiles second = TlsCertificates.loadOrCreateSelfSigned(dir, List.of("other.example"));
        assertFalse(second.created());
        assertEquals(first.certificate(), second.certificate());
        assertArrayEquals(cert, Files.readAllBytes(second.certificate()));
        assertArrayEquals(key, Files.readAllBytes(second.privateKey()));
    }

    @Test
    void regeneratesWhenExpiredOrMissing() throws Exception {
        Instant longAgo = Instant.now().minus(Duration.ofDays(900));
        TlsCertificates.loadOrCreateSelfSigned(dir, List.of(), longAgo);
        byte[] expired = Files.readAllBytes(dir.resolve("cert.pem"));
        TlsCertificates.SelfSignedFiles renewed = TlsCertificates.loadOrCreateSelfSigned(dir, List.of());
        assertTrue(renewed.created());
        assertFalse(Arrays.equals(expired, Files.readAllBytes(renewed.certificate())));
        TlsCertificates.readPem(renewed.certificate(), renewed.privateKey()).certificate().checkValidity();

        Files.delete(renewed.privateKey());
        assertTrue(TlsCertificates.loadOrCreateSelfSigned(dir, List.of()).created());
        Files.delete(renewed.certificate());
        assertTrue(TlsCertificates.loadOrCreateSelfSigned(dir, List.of()).created());
    }

    @Test
    void regeneratesSelfSignedPairWhoseKeyNoLongerMatches() throws Exception {
        TlsCertificates.loadOrCreateSelfSigned(dir, List.of());
        TlsCertificates.CertifiedKey other = TlsCertificates.createSelfSignedServer(List.of(), Instant.now());
        Files.writeString(dir.resolve("key.pem"), pemOfKey(other.privateKey()));
        assertTrue(TlsCertificates.loadOrCreateSelfSigned(dir, List.of()).created());
        TlsCertificates.readPem(dir.resolve("cert.pem"), dir.resolve("key.pem"));
    }

    @Test
    void neverOverwritesAnOperatorsCertificate() throws Exception {
        Instant longAgo = Instant.now().minus(Duration.ofDays(900));
        TlsCertificates.CertifiedKey ca = TlsCertificates.createClusterCa("Operator CA", longAgo, Duration.ofDays(3650));
        TlsCertificates.CertifiedKey issued = TlsCertificates.createNodeCertificate(ca, "server", List.of("chat.example.org"), longAgo, Duration.ofDays(90));
        TlsCertificates.writePem(issued, dir.resolve("cert.pem"), dir.resolve("key.pem"));
        byte[] before = Files.readAllBytes(dir.resolve("cert.pem"));
        IOException e = assertThrows(IOException.class, () -> TlsCertificates.loadOrCreateSelfSigned(dir, List.of()));
        assertTrue(e.getMessage().contains("not self-signed"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(dir.resolve("cert.pem")));

        Files.delete(dir.resolve("key.pem"));
        assertThrows(IOException.class, () -> TlsCertificates.loadOrCreateSelfSigned(dir, List.of()), "key missing");
        assertArrayEquals(before, Files.readAllBytes(dir.resolve("cert.pem")));

        Files.writeString(dir.resolve("cert.pem"), "garbage");
        assertThrows(IOException.class, () -> TlsCertificates.loadOrCreateSelfSigned(dir, List.of()));
    }

    @Test
    void clusterCaAndNodeCertificatesVerify() throws Exception {
        Instant now = Instant.now();
        TlsCertificates.CertifiedKey ca = TlsCertificates.createClusterCa("Interlude cluster CA", now, Duration.ofDays(3650));
        X509Certificate caCert = ca.certificate();
        assertTrue(TlsCertificates.isSelfSigned(caCert));
        assertEquals(0, caCert.getBasicConstraints(), "CA with path length 0");
        assertTrue(caCert.getKeyUsage()[5], "keyCertSign");
        assertTrue(caCert.getCriticalExtensionOIDs().contains("2.5.29.19"), "basicConstraints is critical");

        TlsCertificates.CertifiedKey node = TlsCertificates.createNodeCertificate(ca, "node-1", List.of("node-1.cluster.internal", "10.1.0.1"), now, Duration.ofDays(365));
        X509Certificate nodeCert = node.certificate();
        nodeCert.verify(caCert.getPublicKey());
        assertFalse(TlsCertificates.isSelfSigned(nodeCert));
        assertEquals(caCert.getSubjectX500Principal(), nodeCert.getIssuerX500Principal());
        assertEquals(-1, nodeCert.getBasicConstraints());
        assertEquals(Set.of(SERVER_AUTH, CLIENT_AUTH), Set.copyOf(nodeCert.getExtendedKeyUsage()));
        assertEquals(List.of("dns:node-1.cluster.internal", "ip:10.1.0.1"), subjectAltNames(nodeCert));

        // Full PKIX path validation, as a TLS peer would do it.
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(caCert, null)));
        parameters.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(
                CertificateFactory.getInstance("X.509").generateCertPath(List.of(nodeCert)), parameters);

        // A certificate from another CA does not validate against this one.
        TlsCertificates.CertifiedKey otherCa = TlsCertificates.createClusterCa("Other CA", now, Duration.ofDays(3650));
        X509Certificate foreign = TlsCertificates.createNodeCertificate(otherCa, "node-x", List.of("node-x"), now, Duration.ofDays(30)).certificate();
        assertThrows(CertPathValidatorException.class, () -> CertPathValidator.getInstance("PKIX").validate(
                CertificateFactory.getInstance("X.509").generateCertPath(List.of(foreign)), parameters));
    }

    @Test
    void nodeCertificateNeverOutlivesItsCa() {
        Instant now = Instant.now();
        TlsCertificates.CertifiedKey ca = TlsCertificates.createClusterCa("Short CA", now, Duration.ofDays(10));
        X509Certificate node = TlsCertificates.createNodeCertificate(ca, "node", List.of("node"), now, Duration.ofDays(365)).certificate();
        assertEquals(ca.certificate().getNotAfter(), node.getNotAfter());
        assertThrows(IllegalArgumentException.class,
                () -> TlsCertificates.createNodeCertificate(ca, "node", List.of("node"), now.plus(Duration.ofDays(11)), Duration.ofDays(1)));
    }

    @Test
    void nodeCertificatesRequireACaIssuer() {
        TlsCertificates.CertifiedKey server = TlsCertificates.createSelfSignedServer(List.of(), Instant.now());
        assertThrows(IllegalArgumentException.class,
                () -> TlsCertificates.createNodeCertificate(server, "node", List.of("node"), Instant.now(), Duration.ofDays(1)));
        TlsCertificates.CertifiedKey ca = TlsCertificates.createClusterCa("CA", Instant.now(), Duration.ofDays(10));
        TlsCertificates.CertifiedKey wrongKey = new TlsCertificates.CertifiedKey(ca.certificate(), server.privateKey());
        assertThrows(IllegalArgumentException.class,
                () -> TlsCertificates.createNodeCertificate(wrongKey, "node", List.of("node"), Instant.now(), Duration.ofDays(1)));
        assertThrows(IllegalArgumentException.class,
                () -> TlsCertificates.createNodeCertificate(ca, "node", List.of(), Instant.now(), Duration.ofDays(1)));
    }

    @Test
    void pemRoundTripAndErrors() throws Exception {
        Instant now = Instant.now();
        TlsCertificates.CertifiedKey ca = TlsCertificates.createClusterCa("CA", now, Duration.ofDays(100));
        TlsCertificates.writePem(ca, dir.resolve("ca.pem"), dir.resolve("ca-key.pem"));
        TlsCertificates.CertifiedKey loaded = TlsCertificates.readPem(dir.resolve("ca.pem"), dir.resolve("ca-key.pem"));
        assertEquals(ca.certificate(), loaded.certificate());
        assertArrayEquals(ca.privateKey().getEncoded(), loaded.privateKey().getEncoded());
        assertFalse(loaded.toString().contains("BEGIN"), loaded.toString());

        TlsCertificates.CertifiedKey node = TlsCertificates.createNodeCertificate(loaded, "n", List.of("n"), now, Duration.ofDays(1));
        TlsCertificates.writeCertificatePem(dir.resolve("chain.pem"), node.certificate(), ca.certificate());
        assertEquals(List.of(node.certificate(), ca.certificate()), TlsCertificates.readCertificates(dir.resolve("chain.pem")));

        assertThrows(IOException.class, () -> TlsCertificates.readPem(dir.resolve("chain.pem"), dir.resolve("ca-key.pem")), "mismatched key");
        assertThrows(IOException.class, () -> TlsCertificates.readPrivateKey(dir.resolve("ca.pem")), "certificate is not a key");
        assertThrows(IOException.class, () -> TlsCertificates.readCertificates(dir.resolve("ca-key.pem")), "key is not a certificate");
        Files.writeString(dir.resolve("empty.pem"), "");
        assertThrows(IOException.class, () -> TlsCertificates.readCertificates(dir.resolve("empty.pem")));
        assertThrows(IOException.class, () -> TlsCertificates.readPrivateKey(dir.resolve("empty.pem")));
        assertThrows(IOException.class, () -> TlsCertificates.readCertificates(dir.resolve("absent.pem")));
    }

    @Test
    void subjectAltNamesAreValidated() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> TlsCertificates.createSelfSignedServer(List.of("bad name"), Instant.now()));
        assertThrows(IllegalArgumentException.class, () -> TlsCertificates.createSelfSignedServer(List.of("under_score.example"), Instant.now()));
        assertThrows(IllegalArgumentException.class, () -> TlsCertificates.createSelfSignedServer(List.of("-leading.example"), Instant.now()));
        assertThrows(IllegalArgumentException.class, () -> TlsCertificates.createSelfSignedServer(List.of("a..b"), Instant.now()));
        List<String> names = new ArrayList<>(List.of("*.Example.ORG", "[2001:db8::1]", "LOCALHOST", "127.0.0.1"));
        X509Certificate certificate = TlsCertificates.createSelfSignedServer(names, Instant.now()).certificate();
        assertEquals(List.of("dns:localhost", "ip:127.0.0.1", "ip:0:0:0:0:0:0:0:1", "dns:*.example.org", "ip:2001:db8:0:0:0:0:0:1"),
                subjectAltNames(certificate), "normalised and without duplicates");
    }

    @Test
    void jdkTlsWorksWithTheSelfSignedServerCertificate() throws Exception {
        TlsCertificates.SelfSignedFiles files = TlsCertificates.loadOrCreateSelfSigned(dir, List.of());
        TlsCertificates.CertifiedKey server = TlsCertificates.readPem(files.certificate(), files.privateKey());
        SSLContext serverContext = context(server, null);
        SSLContext clientContext = context(null, server.certificate());
        // The client checks the host name against the SubjectAltName, as browsers do.
        handshake(serverContext, clientContext, false, "localhost");
    }

    @Test
    void mutualTlsWorksBetweenNodesOfOneCluster() throws Exception {
        Instant now = Instant.now();
        TlsCertificates.CertifiedKey ca = TlsCertificates.createClusterCa("Interlude cluster CA", now, Duration.ofDays(3650));
        TlsCertificates.writeCertificatePem(dir.resolve("ca.pem"), ca.certificate());
        TlsCertificates.writePem(TlsCertificates.createNodeCertificate(ca, "node-a", List.of("localhost", "127.0.0.1"), now, Duration.ofDays(365)),
                dir.resolve("a.pem"), dir.resolve("a-key.pem"));
        TlsCertificates.writePem(TlsCertificates.createNodeCertificate(ca, "node-b", List.of("localhost", "127.0.0.1"), now, Duration.ofDays(365)),
                dir.resolve("b.pem"), dir.resolve("b-key.pem"));

        X509Certificate trusted = TlsCertificates.readCertificates(dir.resolve("ca.pem")).get(0);
        SSLContext nodeA = context(TlsCertificates.readPem(dir.resolve("a.pem"), dir.resolve("a-key.pem")), trusted);
        SSLContext nodeB = context(TlsCertificates.readPem(dir.resolve("b.pem"), dir.resolve("b-key.pem")), trusted);
        List<String> peers = handshake(nodeA, nodeB, true, "localhost");
        assertEquals(List.of("CN=node-b,O=Interlude", "CN=node-a,O=Interlude"), peers);

        // A node whose certificate comes from another CA is refused by the server.
        TlsCertificates.CertifiedKey otherCa = TlsCertificates.createClusterCa("Rogue CA", now, Duration.ofDays(10));
        SSLContext rogue = context(TlsCertificates.createNodeCertificate(otherCa, "rogue", List.of("localhost"), now, Duration.ofDays(1)), trusted);
        assertThrows(IOException.class, () -> handshake(nodeA, rogue, true, "localhost"));
    }

    /** A context with a PKCS#12 key store built in memory from {@code own} and trusting {@code trusted}. */
    private static SSLContext context(TlsCertificates.CertifiedKey own, X509Certificate trusted) throws Exception {
        KeyManagerFactory keyManagers = null;
        if (own != null) {
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry("node", own.privateKey(), STORE_PASSWORD, new X509Certificate[] {own.certificate()});
            keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keyStore, STORE_PASSWORD);
        }
        TrustManagerFactory trustManagers = null;
        if (trusted != null) {
            KeyStore trustStore = KeyStore.getInstance("PKCS12");
            trustStore.load(null, null);
            trustStore.setCertificateEntry("trusted", trusted);
            trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trustStore);
        }
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(keyManagers == null ? null : keyManagers.getKeyManagers(),
                trustManagers == null ? null : trustManagers.getTrustManagers(), null);
        return context;
    }

    /**
     * Runs one TLS handshake over loopback and exchanges a byte; returns the subject the server saw for
     * the client (if client authentication was required) and the subject the client saw for the server.
     */
    private static List<String> handshake(SSLContext serverContext, SSLContext clientContext, boolean clientAuth, String host) throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (SSLServerSocket serverSocket = (SSLServerSocket) serverContext.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            serverSocket.setNeedClientAuth(clientAuth);
            serverSocket.setSoTimeout(10_000);
            Future<String> serverSide = executor.submit(() -> {
                try (SSLSocket socket = (SSLSocket) serverSocket.accept()) {
                    socket.setSoTimeout(10_000);
                    socket.startHandshake();
                    InputStream in = socket.getInputStream();
                    OutputStream out = socket.getOutputStream();
                    out.write(in.read() + 1);
                    out.flush();
                    return clientAuth ? ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName() : "";
                }
            });
            String serverSubject;
            // Closed before waiting for the server: a TLS 1.3 socket's close waits for the peer's close_notify.
            try (SSLSocket client = (SSLSocket) clientContext.getSocketFactory().createSocket(host, serverSocket.getLocalPort())) {
                client.setSoTimeout(10_000);
                SSLParameters parameters = client.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                client.setSSLParameters(parameters);
                client.startHandshake();
                client.getOutputStream().write(41);
                client.getOutputStream().flush();
                assertEquals(42, client.getInputStream().read());
                serverSubject = ((X509Certificate) client.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
            }
            String clientSubject = serverSide.get(20, TimeUnit.SECONDS);
            List<String> result = new ArrayList<>();
            if (clientAuth) {
                result.add(clientSubject);
            }
            result.add(serverSubject);
            return result;
        } finally {
            executor.shutdownNow();
        }
    }

    private static List<String> subjectAltNames(X509Certificate certificate) throws Exception {
        List<String> names = new ArrayList<>();
        for (List<?> entry : certificate.getSubjectAlternativeNames()) {
            int type = (Integer) entry.get(0);
            names.add((type == 2 ? "dns:" : type == 7 ? "ip:" : type + ":") + entry.get(1));
        }
        return names;
    }

    private static String pemOfKey(PrivateKey key) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }
}
