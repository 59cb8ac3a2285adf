package org.directmilter.crypto.smime;

import java.util.List;

/**
 * The algorithms an incoming message used, for the audit line: content encryption (e.g. AES-256-CBC),
 * key transport (RSA PKCS#1 v1.5, RSA-OAEP), digests and signature algorithms of the signers, whether the
 * signature was detached or opaque, and whether the content was wrapped as message/rfc822.
 */
public record Algorithms(String contentEncryption, String keyTransport, List<String> digests,
                         List<String> signatures, SignatureForm signatureForm, boolean wrapped) {

    public Algorithms {
        digests = List.copyOf(digests);
        signatures = List.copyOf(signatures);
    }

    public enum SignatureForm { DETACHED, OPAQUE }
}
