package org.interlude.crypto;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.bc.BcX509ExtensionUtils;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.bc.BcECContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.IPAddress;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * X.509 certificates for TLS, built with Bouncy Castle's lightweight API (keys, signatures, extensions)
 * and handed out as JDK types so they plug into {@code SSLContext}, {@code KeyStore} and Vert.x.
 *
 * <p>Two uses:
 * <ul>
 *   <li>A self-signed server certificate for development and first start:
 *       {@link #loadOrCreateSelfSigned(Path, List)} keeps {@code cert.pem} and {@code key.pem} in a
 *       directory, reusing them while they are valid.</li>
 *   <li>A private cluster CA and node certificates signed by it, for mutual TLS on the clustered event
 *       bus: {@link #createClusterCa}, {@link #createNodeCertificate}, {@link #writePem},
 *       {@link #readPem}.</li>
 * </ul>
 *
 * <p>All keys are EC P-256 and all signatures SHA256withECDSA. Files: certificates are PEM
 * ({@code -----BEGIN CERTIFICATE-----}) with mode 0644; private keys are unencrypted PKCS#8 PEM
 * ({@code -----BEGIN PRIVATE KEY-----}) with mode 0600; both are written atomically, key first. Reading
 * also accepts OpenSSL's traditional {@code EC PRIVATE KEY}/{@code RSA PRIVATE KEY} PEM, so operators
 * can supply their own files; encrypted keys are rejected. No Bouncy Castle JCA provider is installed:
 * the JDK providers do all JCA work. Names for the SubjectAltName are DNS names (optionally with a
 * leading {@code *.}) or IPv4/IPv6 literals; anything else throws {@link IllegalArgumentException}.
 * The class is stateless and thread-safe.
 */
public final class TlsCertificates {

    /** Validity of generated server certificates: the longest that Apple platforms accept for TLS. */
    public static final Duration SERVER_VALIDITY = Duration.ofDays(825);
    /** File names used by {@link #loadOrCreateSelfSigned(Path, List)}. */
    public static final String CERT_FILE = "cert.pem";
    public static final String KEY_FILE = "key.pem";
    /** Names every self-signed server certificate covers, so local connections always verify. */
    public static final List<String> DEFAULT_SERVER_NAMES = List.of("localhost", "127.0.0.1", "::1");

    // Clock skew tolerance: a certificate that is not yet valid on a peer with a slow clock is useless.
    private static final Duration BACKDATE = Duration.ofHours(1);
    private static final Pattern DNS_NAME = Pattern.compile(
            "(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    private static final AlgorithmIdentifier SIGNATURE_ALGORITHM =
            new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withECDSA");
    private static final AlgorithmIdentifier DIGEST_ALGORITHM =
            new DefaultDigestAlgorithmIdentifierFinder().find(SIGNATURE_ALGORITHM);

    /**
     * A certificate and its private key. {@link #toString()} omits the key.
     *
     * @param certificate the certificate
     * @param privateKey the matching private key
     */
    public record CertifiedKey(X509Certificate certificate, PrivateKey privateKey) {
        public CertifiedKey {
            Objects.requireNonNull(certificate, "certificate");
            Objects.requireNonNull(privateKey, "privateKey");
        }

        @Override
        public String toString() {
            return "CertifiedKey[subject=" + certificate.getSubjectX500Principal().getName()
                    + ", notAfter=" + certificate.getNotAfter().toInstant() + ", key=" + privateKey.getAlgorithm() + "]";
        }
    }

    /**
     * Where the self-signed certificate and key are, and whether this call created them (the caller
     * should then log the certificate's fingerprint so users can verify it).
     */
    public record SelfSignedFiles(Path certificate, Path privateKey, boolean created) {
    }

    private TlsCertificates() {
    }

    /** {@link #loadOrCreateSelfSigned(Path, List, Instant)} at the current time. */
    public static SelfSignedFiles loadOrCreateSelfSigned(Path dir, List<String> extraNames) throws IOException {
        return loadOrCreateSelfSigned(dir, extraNames, Instant.now());
    }

    /**
     * Reuses {@code dir/cert.pem} and {@code dir/key.pem} if both exist, parse, belong together and are
     * valid at {@code now}; otherwise generates a self-signed server certificate
     * ({@link #createSelfSignedServer}) and writes both files atomically, creating {@code dir} if needed.
     * Existing files are kept as they are even if {@code extraNames} changed; delete them to regenerate.
     *
     * @throws IOException on I/O errors, and when the existing files are unreadable or hold a certificate
     *     that is not self-signed and is expired, lacks its key or does not match it: such a certificate
     *     was supplied by an operator and must not be silently replaced by a self-signed one
     */
    public static SelfSignedFiles loadOrCreateSelfSigned(Path dir, List<String> extraNames, Instant now) throws IOException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(extraNames, "extraNames");
        Objects.requireNonNull(now, "now");
        Path certFile = dir.resolve(CERT_FILE);
        Path keyFile = dir.resolve(KEY_FILE);
        if (Files.exists(certFile) && !Files.exists(keyFile) && !isSelfSigned(readCertificates(certFile).get(0))) {
            throw new IOException(keyFile + " is missing and " + certFile
                    + " is not self-signed; supply its key rather than let it be overwritten");
        }
        if (Files.exists(certFile) && Files.exists(keyFile)) {
            X509Certificate certificate = readCertificates(certFile).get(0);
            PrivateKey privateKey = readPrivateKey(keyFile);
            boolean current = !now.isBefore(certificate.getNotBefore().toInstant())
                    && !now.isAfter(certificate.getNotAfter().toInstant());
            boolean matching = keyMatches(privateKey, certificate.getPublicKey());
            if (current && matching) {
                return new SelfSignedFiles(certFile, keyFile, false);
            }
            if (!isSelfSigned(certificate)) {
                throw new IOException(certFile + (matching ? " is not valid at " + now : " does not match " + keyFile)
                        + " and is not self-signed; replace it rather than let it be overwritten");
            }
        }
        writePem(createSelfSignedServer(extraNames, now), certFile, keyFile);
        return new SelfSignedFiles(certFile, keyFile, true);
    }

    /**
     * A self-signed server certificate: EC P-256, SHA256withECDSA, valid for {@link #SERVER_VALIDITY}
     * from one hour before {@code now}, subject {@code CN=localhost, O=Interlude}, not a CA, key usage
     * digitalSignature, extended key usage serverAuth, SubjectAltName {@link #DEFAULT_SERVER_NAMES} plus
     * {@code extraNames}.
     */
    public static CertifiedKey createSelfSignedServer(List<String> extraNames, Instant now) {
        List<String> names = new ArrayList<>(DEFAULT_SERVER_NAMES);
        names.addAll(Objects.requireNonNull(extraNames, "extraNames"));
        GeneralNames subjectAltNames = generalNames(names);
        AsymmetricCipherKeyPair keyPair = newKeyPair();
        X500Name subject = name("localhost", "Interlude");
        return build(subject, keyPair, subject, keyPair.getPrivate(), now, SERVER_VALIDITY, builder -> {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false, subjectAltNames);
        });
    }

    /**
     * A self-signed CA for the cluster: EC P-256, basicConstraints CA=true with path length 0 (it signs
     * node certificates only), key usage keyCertSign and cRLSign, subject {@code CN=<commonName>,
     * O=Interlude}, valid for {@code validity} from one hour before {@code now}.
     */
    public static CertifiedKey createClusterCa(String commonName, Instant now, Duration validity) {
        requireCommonName(commonName);
        AsymmetricCipherKeyPair keyPair = newKeyPair();
        X500Name subject = name(commonName, "Interlude");
        return build(subject, keyPair, subject, keyPair.getPrivate(), now, validity, builder -> {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        });
    }

    /**
     * A node certificate signed by {@code ca}: EC P-256, not a CA, key usage digitalSignature, extended
     * key usage serverAuth and clientAuth (each node is both end of a mutual TLS connection),
     * SubjectAltName {@code names} (at least one), subject {@code CN=<commonName>, O=Interlude}, valid
     * for {@code validity} from one hour before {@code now} but never beyond the CA's own expiry.
     *
     * @throws IllegalArgumentException if {@code ca} is not a CA certificate or its key does not match
     */
    public static CertifiedKey createNodeCertificate(CertifiedKey ca, String commonName, List<String> names,
                                                     Instant now, Duration validity) {
        Objects.requireNonNull(ca, "ca");
        requireCommonName(commonName);
        if (Objects.requireNonNull(names, "names").isEmpty()) {
            throw new IllegalArgumentException("a node certificate needs at least one SubjectAltName");
        }
        if (ca.certificate().getBasicConstraints() < 0) {
            throw new IllegalArgumentException("issuer certificate is not a CA");
        }
        if (!keyMatches(ca.privateKey(), ca.certificate().getPublicKey())) {
            throw new IllegalArgumentException("issuer private key does not match the issuer certificate");
        }
        GeneralNames subjectAltNames = generalNames(names);
        X500Name issuer = X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
        AsymmetricKeyParameter issuerKey;
        try {
            issuerKey = PrivateKeyFactory.createKey(PrivateKeyInfo.getInstance(ca.privateKey().getEncoded()));
        } catch (IOException e) {
            throw new IllegalArgumentException("issuer private key cannot be used for signing", e);
        }
        SubjectPublicKeyInfo issuerPublicKey = SubjectPublicKeyInfo.getInstance(ca.certificate().getPublicKey().getEncoded());
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(validity, "validity");
        Instant caNotAfter = ca.certificate().getNotAfter().toInstant();
        if (now.isAfter(caNotAfter) || now.isBefore(ca.certificate().getNotBefore().toInstant())) {
            throw new IllegalArgumentException("issuer CA is not valid at " + now);
        }
        Duration capped = validity;
        Instant notBefore = now.minus(BACKDATE).truncatedTo(ChronoUnit.SECONDS);
        if (notBefore.plus(validity).isAfter(caNotAfter)) {
            capped = Duration.between(notBefore, caNotAfter);
        }
        AsymmetricCipherKeyPair keyPair = newKeyPair();
        return build(name(commonName, "Interlude"), keyPair, issuer, issuerKey, now, capped, builder -> {
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    new BcX509ExtensionUtils().createAuthorityKeyIdentifier(issuerPublicKey));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            builder.addExtension(Extension.subjectAlternativeName, false, subjectAltNames);
        });
    }

    /** Writes the key (PKCS#8 PEM, mode 0600) and then the certificate (PEM, mode 0644), each atomically. */
    public static void writePem(CertifiedKey certifiedKey, Path certFile, Path keyFile) throws IOException {
        Objects.requireNonNull(certifiedKey, "certifiedKey");
        byte[] keyPem = pem("PRIVATE KEY", certifiedKey.privateKey().getEncoded());
        try {
            SecureFiles.writeAtomically(keyFile, keyPem, SecureFiles.OWNER_ONLY);
        } finally {
            Arrays.fill(keyPem, (byte) 0);
        }
        writeCertificatePem(certFile, certifiedKey.certificate());
    }

    /** Writes certificates (e.g. the CA certificate that nodes trust) as concatenated PEM, mode 0644. */
    public static void writeCertificatePem(Path file, X509Certificate... certificates) throws IOException {
        if (certificates.length == 0) {
            throw new IllegalArgumentException("no certificates to write");
        }
        StringBuilder text = new StringBuilder();
        for (X509Certificate certificate : certificates) {
            try {
                text.append(new String(pem("CERTIFICATE", certificate.getEncoded()), StandardCharsets.US_ASCII));
            } catch (CertificateException e) {
                throw new IOException("cannot encode certificate " + certificate.getSubjectX500Principal(), e);
            }
        }
        SecureFiles.writeAtomically(file, text.toString().getBytes(StandardCharsets.US_ASCII), SecureFiles.WORLD_READABLE);
    }

    /**
     * Reads a certificate file and a private key file and checks that they belong together; the first
     * certificate in the file is the one returned.
     *
     * @throws IOException if a file is missing, malformed, encrypted, or the key does not match
     */
    public static CertifiedKey readPem(Path certFile, Path keyFile) throws IOException {
        X509Certificate certificate = readCertificates(certFile).get(0);
        PrivateKey privateKey = readPrivateKey(keyFile);
        if (!keyMatches(privateKey, certificate.getPublicKey())) {
            throw new IOException(keyFile + " does not hold the private key of " + certFile);
        }
        return new CertifiedKey(certificate, privateKey);
    }

    /** All certificates in a PEM file, in file order; at least one. */
    public static List<X509Certificate> readCertificates(Path file) throws IOException {
        List<X509Certificate> certificates = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            Object object;
            while ((object = parser.readObject()) != null) {
                if (!(object instanceof X509CertificateHolder holder)) {
                    throw new IOException(file + " contains something other than certificates");
                }
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(holder.getEncoded())));
            }
        } catch (CertificateException e) {
            throw new IOException(file + " holds an unreadable certificate", e);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // PEMParser signals malformed content with unchecked exceptions.
            throw new IOException(file + " is not valid PEM", e);
        }
        if (certificates.isEmpty()) {
            throw new IOException(file + " contains no certificate");
        }
        return certificates;
    }

    /** The private key in a PEM file: PKCS#8 or OpenSSL traditional, unencrypted. */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            Object object = parser.readObject();
            if (parser.readObject() != null) {
                throw new IOException(file + " must contain exactly one private key");
            }
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (object instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (object instanceof PEMKeyPair pair) {
                return converter.getPrivateKey(pair.getPrivateKeyInfo());
            }
            if (object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair) {
                throw new IOException(file + " holds an encrypted private key; an unencrypted one protected by file permissions is expected");
            }
            throw new IOException(file + " does not contain a private key");
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IOException(file + " is not valid PEM", e);
        }
    }

    /** Whether {@code certificate} names itself as issuer and its signature verifies with its own key. */
    public static boolean isSelfSigned(X509Certificate certificate) {
        if (!certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
            return false;
        }
        try {
            certificate.verify(certificate.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Proves possession rather than comparing encodings, so it works for any key format the JDK reads. */
    private static boolean keyMatches(PrivateKey privateKey, PublicKey publicKey) {
        String algorithm = switch (privateKey.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null || !privateKey.getAlgorithm().equals(publicKey.getAlgorithm())) {
            return false;
        }
        try {
            byte[] challenge = RandomTokens.randomBytes(32);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    @FunctionalInterface
    private interface Extensions {
        void add(X509v3CertificateBuilder builder) throws IOException;
    }

    private static CertifiedKey build(X500Name subject, AsymmetricCipherKeyPair subjectKeys, X500Name issuer,
                                      AsymmetricKeyParameter issuerKey, Instant now, Duration validity, Extensions extensions) {
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(validity, "validity");
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive");
        }
        Instant notBefore = now.minus(BACKDATE).truncatedTo(ChronoUnit.SECONDS);
        Instant notAfter = notBefore.plus(validity);
        try {
            SubjectPublicKeyInfo publicKeyInfo = SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(subjectKeys.getPublic());
            X509v3CertificateBuilder builder = new X509v3CertificateBuilder(issuer, serialNumber(),
                    Date.from(notBefore), Date.from(notAfter), subject, publicKeyInfo);
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    new BcX509ExtensionUtils().createSubjectKeyIdentifier(publicKeyInfo));
            extensions.add(builder);
            ContentSigner signer = new BcECContentSignerBuilder(SIGNATURE_ALGORITHM, DIGEST_ALGORITHM).build(issuerKey);
            X509CertificateHolder holder = builder.build(signer);
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(holder.getEncoded()));
            PrivateKeyInfo privateKeyInfo = PrivateKeyInfoFactory.createPrivateKeyInfo(subjectKeys.getPrivate());
            PrivateKey privateKey = new JcaPEMKeyConverter().getPrivateKey(privateKeyInfo);
            return new CertifiedKey(certificate, privateKey);
        } catch (IOException | CertificateException | OperatorCreationException e) {
            throw new IllegalStateException("certificate generation failed", e);
        }
    }

    private static AsymmetricCipherKeyPair newKeyPair() {
        ECKeyPairGenerator generator = new ECKeyPairGenerator();
        generator.init(new ECKeyGenerationParameters(ECNamedDomainParameters.lookup(SECObjectIdentifiers.secp256r1),
                RandomTokens.secureRandom()));
        return generator.generateKeyPair();
    }

    /** A positive 127-bit random serial: unique without coordination and within RFC 5280's 20 octets. */
    private static BigInteger serialNumber() {
        byte[] bytes = RandomTokens.randomBytes(16);
        bytes[0] &= 0x7f;
        bytes[0] |= 0x40;
        return new BigInteger(1, bytes);
    }

    private static X500Name name(String commonName, String organization) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, organization)
                .addRDN(BCStyle.CN, commonName)
                .build();
    }

    private static void requireCommonName(String commonName) {
        Objects.requireNonNull(commonName, "commonName");
        if (commonName.isBlank() || commonName.length() > 64) {
            throw new IllegalArgumentException("common name must be 1 to 64 characters");
        }
    }

    /** SubjectAltName entries: IP literals as iPAddress, everything else validated as a DNS name. */
    static GeneralNames generalNames(List<String> names) {
        Set<String> unique = new LinkedHashSet<>();
        List<GeneralName> result = new ArrayList<>();
        for (String raw : names) {
            String name = Objects.requireNonNull(raw, "name").strip();
            if (name.startsWith("[") && name.endsWith("]")) {
                name = name.substring(1, name.length() - 1);
            }
            if (IPAddress.isValid(name)) {
                if (unique.add("ip:" + name.toLowerCase(Locale.ROOT))) {
                    result.add(new GeneralName(GeneralName.iPAddress, name));
                }
                continue;
            }
            String dns = name.toLowerCase(Locale.ROOT);
            if (dns.length() > 253 || !DNS_NAME.matcher(dns).matches()) {
                throw new IllegalArgumentException("not a DNS name or IP address: " + raw);
            }
            if (unique.add("dns:" + dns)) {
                result.add(new GeneralName(GeneralName.dNSName, dns));
            }
        }
        return new GeneralNames(result.toArray(new GeneralName[0]));
    }

    private static byte[] pem(String type, byte[] der) throws IOException {
        StringWriter text = new StringWriter();
        try (PemWriter writer = new PemWriter(text)) {
            writer.writeObject(new PemObject(type, der));
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
