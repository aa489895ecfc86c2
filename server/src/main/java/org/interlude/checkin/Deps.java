package org.interlude.checkin;

import io.vertx.sqlclient.Pool;
import java.time.Clock;
import org.interlude.audit.AuditLog;
import org.interlude.checkin.instrument.InstrumentCatalog;
import org.interlude.checkin.instrument.risk.CheckinRiskRules;
import org.interlude.config.InterludeConfig;
import org.interlude.identity.Access;
import org.interlude.identity.IdentityStore;

/** What the check-in services share; built once by {@link CheckinModule}. */
record Deps(
    Pool pool,
    Clock clock,
    String nodeId,
    InterludeConfig.Checkin settings,
    InstrumentCatalog catalog,
    CheckinRiskRules rules,
    AuditLog audit,
    Access access,
    IdentityStore identity,
    FreeTextCipher cipher,
    Materializer materializer,
    RiskSink riskSink) {}
