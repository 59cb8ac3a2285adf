package org.directmilter.milter.config;

import java.util.Set;
import org.directmilter.crypto.trust.TrustSettings;
import org.directmilter.crypto.trust.TrustSettings.UnknownRevocation;
import org.directmilter.crypto.trust.ValidationBudget;

/** The validator's settings as the configuration file sets them. */
public final class TrustConfig {

    private TrustConfig() {
    }

    public static TrustSettings settings(MilterConfig config) {
        UnknownRevocation unknown = switch (config.get(ConfigKeys.ON_REVOCATION_UNKNOWN)) {
            case ACCEPT -> UnknownRevocation.ACCEPT;
            case REJECT -> UnknownRevocation.REJECT;
            default -> UnknownRevocation.TEMPFAIL;
        };
        TrustSettings defaults = TrustSettings.defaults();
        ValidationBudget.Limits perMessage = new ValidationBudget.Limits(defaults.perMessage().certificates(),
                config.get(ConfigKeys.FETCH_LIMIT), config.get(ConfigKeys.FETCH_BUDGET));
        return new TrustSettings(config.get(ConfigKeys.FETCH_TIMEOUT), perMessage,
                config.get(ConfigKeys.FETCH_MAX_SIZE), Set.copyOf(config.get(ConfigKeys.FETCH_HOSTS)), unknown,
                config.get(ConfigKeys.CRL_GRACE), defaults.failureCacheTime(), defaults.maxCacheTime());
    }
}
