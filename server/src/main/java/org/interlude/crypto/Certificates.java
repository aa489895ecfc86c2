package org.interlude.crypto;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The self-signed server certificate for local use: EC P-256, SubjectAltName localhost,
 * 127.0.0.1, ::1 and any extra names, written once as {@code cert.pem} and {@code key.pem}
 * (mode 0600) into a directory and reused until it nears expiry. Production deployments
 * configure a real certificate instead.
 */
public final class Certificates {
  static final Duration VALIDITY = Duration.ofDays(825);
  static final Duration RENEW_BEFORE = Duration.ofDays(30);

  private Certificates() {}

  /** Paths of a certificate and key, and whether this call created them. */
  public record SelfSigned(Path certFile, Path keyFile, boolean created) {}

  public static SelfSigned loadOrCreateSelfSigned(Path dir, List<String> extraNames) throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    if (Files.exists(cert) && Files.exists(key) && !expiresSoon(cert)) {
      return new SelfSigned(cert, key, false);
    }
    Files.createDirectories(dir);
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
    KeyPair kp = g.generateKeyPair();
    Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
    names.addAll(extraNames);
    List<GeneralName> sans = new ArrayList<>();
    for (String n : names) {
      sans.add(n.matches("[0-9.]+") || n.contains(":")
          ? new GeneralName(GeneralName.iPAddress, n) : new GeneralName(GeneralName.dNSName, n));
    }
    Instant now = Instant.now();
    X500Name subject = new X500Name("CN=Interlude local,O=Interlude");
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject,
        new BigInteger(127, new SecureRandom()), Date.from(now.minus(Duration.ofMinutes(5))),
        Date.from(now.plus(VALIDITY)), subject, kp.getPublic());
    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(new GeneralName[0])));
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
    X509CertificateHolder holder = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()));
    writeAtomically(key, pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(kp.getPrivate(), null).generate()), true);
    writeAtomically(cert, pem(new JcaX509CertificateConverter().getCertificate(holder)), false);
    return new SelfSigned(cert, key, true);
  }

  private static boolean expiresSoon(Path certFile) throws IOException {
    try (Reader r = Files.newBufferedReader(certFile, StandardCharsets.UTF_8); PEMParser p = new PEMParser(r)) {
      Object o = p.readObject();
      if (!(o instanceof X509CertificateHolder h)) {
        return true;
      }
      return h.getNotAfter().toInstant().isBefore(Instant.now().plus(RENEW_BEFORE));
    }
  }

  private static String pem(Object o) throws IOException {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(o);
    }
    return w.toString();
  }

  private static void writeAtomically(Path target, String content, boolean secret) throws IOException {
    Path tmp = Files.createTempFile(target.getParent(), ".tmp", ".pem");
    if (secret) {
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
    }
    Files.writeString(tmp, content, StandardCharsets.UTF_8);
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static X509Certificate read(Path certFile) throws Exception {
    try (Reader r = Files.newBufferedReader(certFile, StandardCharsets.UTF_8); PEMParser p = new PEMParser(r)) {
      return new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) p.readObject());
    }
  }
}
