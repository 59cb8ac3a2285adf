package org.directmilter.crypto.smime;

import java.util.List;

/**
 * What protecting produced besides the body: the outer header fields (routing headers copied from the
 * original, then the S/MIME ones), in the order they should appear, and the algorithms used.
 */
public record Protected(List<MimeHeaderField> outerHeaders, String contentCipher, String keyTransport,
                        String signatureAlgorithm, int recipients) {

    public Protected {
        outerHeaders = List.copyOf(outerHeaders);
    }
}
