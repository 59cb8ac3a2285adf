package org.directmilter.crypto.smime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.EncryptedContentInfo;
import org.bouncycastle.asn1.cms.EnvelopedData;
import org.bouncycastle.asn1.cms.IssuerAndSerialNumber;
import org.bouncycastle.asn1.cms.KeyTransRecipientInfo;
import org.bouncycastle.asn1.cms.RecipientIdentifier;
import org.bouncycastle.asn1.cms.RecipientInfo;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;

/**
 * EnvelopedData built by hand, as an attacker builds it: pieces of a captured message under its own
 * RecipientInfo, or a chosen encrypted key and ciphertext (AES-256-CBC). For the oracle tests here and
 * in the milter's.
 */
public final class CmsForgery {

    private CmsForgery() {
    }

    /** The EnvelopedData of an outer S/MIME message (base64 body after the header block). */
    public static EnvelopedData envelopedData(byte[] outer) {
        String text = new String(outer, StandardCharsets.US_ASCII);
        byte[] cms = Base64.getMimeDecoder().decode(text.substring(text.indexOf("\r\n\r\n") + 4));
        try {
            return EnvelopedData.getInstance(ContentInfo.getInstance(ASN1Primitive.fromByteArray(cms)).getContent());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The ciphertext of an EnvelopedData. */
    public static byte[] ciphertext(EnvelopedData envelope) {
        return envelope.getEncryptedContentInfo().getEncryptedContent().getOctets();
    }

    /**
     * {@code outer} resubmitted from ciphertext block {@code block} on, with the block before it as IV and
     * the same RecipientInfos: it decrypts to the original plaintext from that block on.
     */
    public static byte[] resubmittedTail(byte[] outer, int block) {
        EnvelopedData envelope = envelopedData(outer);
        byte[] ciphertext = ciphertext(envelope);
        return outer(envelope(envelope.getRecipientInfos(), Arrays.copyOfRange(ciphertext, (block - 1) * 16,
                block * 16), Arrays.copyOfRange(ciphertext, block * 16, ciphertext.length)));
    }

    /** One RecipientInfo for {@code cert} (issuer and serial) with {@code encryptedKey} as it is. */
    public static ASN1Set recipientInfo(X509Certificate cert, ASN1ObjectIdentifier transport, byte[] encryptedKey) {
        IssuerAndSerialNumber id = new IssuerAndSerialNumber(
                X500Name.getInstance(cert.getIssuerX500Principal().getEncoded()), cert.getSerialNumber());
        AlgorithmIdentifier algorithm = transport.equals(PKCSObjectIdentifiers.rsaEncryption)
                ? new AlgorithmIdentifier(transport, DERNull.INSTANCE) : new AlgorithmIdentifier(transport);
        return new DERSet(new RecipientInfo(new KeyTransRecipientInfo(new RecipientIdentifier(id), algorithm,
                new DEROctetString(encryptedKey))));
    }

    /** A DER ContentInfo of EnvelopedData, AES-256-CBC with {@code iv}, holding {@code ciphertext}. */
    public static byte[] envelope(ASN1Set recipientInfos, byte[] iv, byte[] ciphertext) {
        EncryptedContentInfo content = new EncryptedContentInfo(CMSObjectIdentifiers.data,
                new AlgorithmIdentifier(NISTObjectIdentifiers.id_aes256_CBC, new DEROctetString(iv)),
                new DEROctetString(ciphertext));
        try {
            return new ContentInfo(CMSObjectIdentifiers.envelopedData,
                    new EnvelopedData(null, recipientInfos, content, (ASN1Set) null)).getEncoded("DER");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code cms} as the body of an outer S/MIME message with only its MIME header fields. */
    public static byte[] outer(byte[] cms) {
        return outer("", cms);
    }

    /** {@code cms} as the body of an outer S/MIME message after {@code headers} (CRLF-terminated fields). */
    public static byte[] outer(String headers, byte[] cms) {
        return (headers + "MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data;"
                + " name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cms) + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }
}
