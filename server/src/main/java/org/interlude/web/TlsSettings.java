package org.interlude.web;

import io.netty.handler.ssl.OpenSsl;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.TCPSSLOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.interlude.config.InterludeConfig;

/**
 * The TLS policy of every listener: TLS 1.2 and 1.3 only, forward-secret AEAD cipher suites only,
 * BoringSSL (netty-tcnative) when it loads on this platform because its handshakes cost a
 * fraction of the JDK's, and the JDK's engine otherwise.
 */
public final class TlsSettings {
  public static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
  public static final List<String> CIPHERS = List.of(
      "TLS_AES_128_GCM_SHA256",
      "TLS_AES_256_GCM_SHA384",
      "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private TlsSettings() {}

  /** True when the OpenSSL (BoringSSL) engine will be used for {@code engine}. */
  public static boolean useOpenSsl(InterludeConfig.Tls.Engine engine) {
    return switch (engine) {
      case JDK -> false;
      case OPENSSL -> {
        if (!OpenSsl.isAvailable()) {
          throw new IllegalStateException("tls.engine is openssl but netty-tcnative could not load: "
              + OpenSsl.unavailabilityCause());
        }
        yield true;
      }
      case AUTO -> OpenSsl.isAvailable();
    };
  }

  /** Applies certificate, protocols, ciphers and engine to {@code options}. */
  public static <T extends TCPSSLOptions> T apply(T options, Path cert, Path key, boolean openSsl) {
    options.setSsl(true);
    options.setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString()));
    options.setEnabledSecureTransportProtocols(PROTOCOLS);
    for (String c : CIPHERS) {
      options.addEnabledCipherSuite(c);
    }
    options.setSslEngineOptions(openSsl ? new OpenSSLEngineOptions() : new JdkSSLEngineOptions());
    return options;
  }
}
