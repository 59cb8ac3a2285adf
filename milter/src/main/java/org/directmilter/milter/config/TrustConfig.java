package org.directmilter.milter.config;

import java.util.Set;
import org.directmilter.crypto.trust.TrustSettings;
import org.directmilter.crypto.trust.TrustSettings.UnknownRevocation;

/** The validator's settings as the configuration file sets them. */
public final class TrustConfig {

    private TrustConfig() {
    }

    public static TrustSettings settings(MilterConfig config) {
        UnknownRevocation unknown = config.get(ConfigKeys.ON_REVOCATION_UNKNOWN) == FailureAction.ACCEPT
                ? UnknownRevocation.ACCEPT : UnknownRevocation.REJECT;
        TrustSettings defaults = TrustSettings.defaults();
        return new TrustSettings(config.get(ConfigKeys.FETCH_TIMEOUT), config.get(ConfigKeys.FETCH_BUDGET),
                config.get(ConfigKeys.FETCH_MAX_SIZE), Set.copyOf(config.get(ConfigKeys.FETCH_HOSTS)), unknown,
                defaults.failureCacheTime(), defaults.maxCacheTime());
    }
}
