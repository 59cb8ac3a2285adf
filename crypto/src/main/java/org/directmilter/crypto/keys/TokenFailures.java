package org.directmilter.crypto.keys;

import java.security.ProviderException;
import java.util.Optional;
import java.util.Set;

/**
 * Tells a failure of a PKCS#11 token (the device, its sessions, its login) from a failure caused by the
 * data it was given. Only the first kind may be answered differently from bad data: were a bad ciphertext
 * answered with a temporary failure and a good one otherwise, the reply would be a padding oracle. So
 * only return values no ciphertext can provoke count: anything else, including CKR_GENERAL_ERROR and
 * CKR_DEVICE_ERROR (some modules report bad padding so), is treated as the data's fault.
 */
public final class TokenFailures {

    /** The PKCS#11 return values that say the token, not the data, failed. SunPKCS11 names them so. */
    private static final Set<String> TOKEN_FAILURES = Set.of(
            "CKR_HOST_MEMORY", "CKR_DEVICE_MEMORY", "CKR_DEVICE_REMOVED", "CKR_TOKEN_NOT_PRESENT",
            "CKR_TOKEN_NOT_RECOGNIZED", "CKR_SESSION_CLOSED", "CKR_SESSION_COUNT", "CKR_SESSION_HANDLE_INVALID",
            "CKR_USER_NOT_LOGGED_IN", "CKR_CRYPTOKI_NOT_INITIALIZED", "CKR_KEY_HANDLE_INVALID",
            "CKR_OBJECT_HANDLE_INVALID", "CKR_SLOT_ID_INVALID");

    private TokenFailures() {
    }

    /** The PKCS#11 return value in {@code e}'s causes when it is a token failure. */
    public static Optional<String> tokenFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message == null) {
                continue;
            }
            for (String code : TOKEN_FAILURES) {
                if (message.contains(code)) {
                    return Optional.of(code);
                }
            }
            if (t instanceof ProviderException && message.contains("Token has been removed")) {
                return Optional.of("CKR_TOKEN_NOT_PRESENT");
            }
        }
        return Optional.empty();
    }
}
