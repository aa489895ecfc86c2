package org.interlude.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.interlude.crypto.TlsCertificates;
import org.interlude.crypto.TlsCertificates.CertifiedKey;

/**
 * The cluster CA and node certificates for the mutual-TLS event bus, as files. A CA directory
 * holds {@code ca.pem} and {@code ca-key.pem} (keep the key offline in production); a node
 * directory holds {@code ca.pem} (what the node trusts), {@code node.pem} and
 * {@code node-key.pem}. {@code scripts/interlude certs} and the development fallback both use
 * this class, so their layouts are the same.
 */
public final class ClusterCertificates {
  public static final String CA_CERT = "ca.pem";
  public static final String CA_KEY = "ca-key.pem";
  public static final String NODE_CERT = "node.pem";
  public static final String NODE_KEY = "node-key.pem";
  public static final Duration CA_VALIDITY = Duration.ofDays(3650);
  public static final Duration NODE_VALIDITY = TlsCertificates.SERVER_VALIDITY;
  /** A node certificate this close to expiry (or past it) is replaced by the development fallback. */
  private static final Duration RENEW_BEFORE = Duration.ofDays(30);

  private ClusterCertificates() {}

  /** The files one node uses: the CA it trusts, its certificate and its key. */
  public record NodeFiles(Path ca, Path cert, Path key) {}

  /** Creates a new cluster CA in {@code dir}; refuses to overwrite an existing one. */
  public static Path createCa(Path dir, String name) throws IOException {
    Path cert = dir.resolve(CA_CERT);
    if (Files.exists(cert) || Files.exists(dir.resolve(CA_KEY))) {
      throw new IOException("a cluster CA already exists in " + dir + " (remove it first to replace it)");
    }
    Files.createDirectories(dir);
    CertifiedKey ca = TlsCertificates.createClusterCa(name, Instant.now(), CA_VALIDITY);
    TlsCertificates.writePem(ca, cert, dir.resolve(CA_KEY));
    return cert;
  }

  /**
   * Signs a certificate for node {@code name}, valid for {@code hosts} (DNS names or IP
   * literals), with the CA in {@code caDir}, and writes the node's three files into {@code out}.
   */
  public static NodeFiles createNode(Path caDir, String name, List<String> hosts, Path out) throws IOException {
    CertifiedKey ca = TlsCertificates.readPem(caDir.resolve(CA_CERT), caDir.resolve(CA_KEY));
    Set<String> names = new LinkedHashSet<>(hosts);
    if (names.isEmpty()) {
      throw new IllegalArgumentException("a node certificate needs at least one host");
    }
    Files.createDirectories(out);
    CertifiedKey node = TlsCertificates.createNodeCertificate(ca, name, new ArrayList<>(names), Instant.now(), NODE_VALIDITY);
    NodeFiles files = new NodeFiles(out.resolve(CA_CERT), out.resolve(NODE_CERT), out.resolve(NODE_KEY));
    TlsCertificates.writePem(node, files.cert(), files.key());
    if (!files.ca().equals(caDir.resolve(CA_CERT))) {
      TlsCertificates.writeCertificatePem(files.ca(), ca.certificate());
    }
    return files;
  }

  /**
   * Development fallback: uses (or creates) a CA in {@code dir} and a certificate for this node
   * signed by it, renewing the node certificate when it is missing, expiring or from another CA.
   * Nodes of one development cluster must share the CA: copy {@code ca.pem} and
   * {@code ca-key.pem} into each node's directory before its first start ({@code scripts/cluster}
   * gives every node configured files instead).
   */
  public static Generated loadOrCreateDevelopment(Path dir, String nodeName, List<String> hosts) throws IOException {
    boolean createdCa = false;
    if (!Files.exists(dir.resolve(CA_CERT))) {
      createCa(dir, "Interlude development cluster CA");
      createdCa = true;
    }
    NodeFiles files = new NodeFiles(dir.resolve(CA_CERT), dir.resolve(NODE_CERT), dir.resolve(NODE_KEY));
    if (createdCa || !usable(files)) {
      createNode(dir, nodeName, hosts, dir);
    }
    return new Generated(files, createdCa);
  }

  /** The files, and whether a new CA was made (the caller warns: other nodes will not trust it). */
  public record Generated(NodeFiles files, boolean createdCa) {}

  private static boolean usable(NodeFiles f) throws IOException {
    if (!Files.exists(f.cert()) || !Files.exists(f.key())) {
      return false;
    }
    X509Certificate ca = TlsCertificates.readCertificates(f.ca()).get(0);
    X509Certificate node = TlsCertificates.readCertificates(f.cert()).get(0);
    try {
      node.verify(ca.getPublicKey());
    } catch (GeneralSecurityException e) {
      return false;
    }
    return node.getNotAfter().toInstant().isAfter(Instant.now().plus(RENEW_BEFORE));
  }
}
