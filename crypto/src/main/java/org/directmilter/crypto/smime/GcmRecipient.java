package org.directmilter.crypto.smime;

import java.security.Key;
import java.security.Provider;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cms.jcajce.JceKeyTransAuthEnvelopedRecipient;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.directmilter.crypto.keys.PrivateKeyEntry;

/**
 * Key transport for AuthEnvelopedData (AES-GCM), with the same {@link ImplicitRejection} as CBC.
 *
 * <p>The content is decrypted by Bouncy Castle's provider: the JDK cannot build GCM parameters from the
 * CMS algorithm identifier, and SunJCE would hold the whole ciphertext until the tag is checked, where
 * Bouncy Castle streams (the tag is still checked at the end, before anything is accepted). That
 * provider is not registered with the JCA.
 */
final class GcmRecipient extends JceKeyTransAuthEnvelopedRecipient {

    private static final Provider GCM_PROVIDER = new BouncyCastleProvider();

    private final ImplicitRejection rejection;

    GcmRecipient(PrivateKeyEntry key, ImplicitRejection rejection) {
        super(key.key());
        // a token's key unwraps the content key in the token, through the token's provider
        key.source().provider().ifPresent(this::setProvider);
        this.rejection = rejection;
        setContentProvider(GCM_PROVIDER);
    }

    @Override
    protected Key extractSecretKey(AlgorithmIdentifier keyEncryption, AlgorithmIdentifier contentEncryption,
                                   byte[] encryptedContentKey) {
        return rejection.contentKey(() -> super.extractSecretKey(keyEncryption, contentEncryption, encryptedContentKey),
                contentEncryption, encryptedContentKey);
    }
}
