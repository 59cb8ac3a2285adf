package org.directmilter.crypto.smime;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.IvParameterSpec;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.operator.GenericKey;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.operator.jcajce.JceGenericKey;

/**
 * AES-CBC content encryption for the enveloped-data generator, as Bouncy Castle's own encryptor does it
 * (a fresh key and IV, the IV as the algorithm parameters), but encrypting into one reused buffer.
 *
 * <p>Why: Bouncy Castle's cipher stream calls {@code Cipher.update(byte[], int, int)}, which returns a new
 * array for every call; for a 1 MB message that was 85% of all the bytes protecting it allocated, twice
 * the message size.
 */
final class CbcEncryptor implements OutputEncryptor {

    private final AlgorithmIdentifier algorithm;
    private final SecretKey key;
    private final Cipher cipher;
    private final int piece;

    /** @param piece the most bytes encrypted per cipher call: the buffer is this size, not the largest write's */
    CbcEncryptor(ASN1ObjectIdentifier oid, int keyBits, SecureRandom random, int piece)
            throws GeneralSecurityException {
        this.piece = piece;
        KeyGenerator generator = KeyGenerator.getInstance("AES");
        generator.init(keyBits, random);
        this.key = generator.generateKey();
        byte[] iv = new byte[16];
        random.nextBytes(iv);
        this.algorithm = new AlgorithmIdentifier(oid, new DEROctetString(iv));
        this.cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
        cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
    }

    @Override
    public AlgorithmIdentifier getAlgorithmIdentifier() {
        return algorithm;
    }

    @Override
    public GenericKey getKey() {
        return new JceGenericKey(algorithm, key);
    }

    @Override
    public OutputStream getOutputStream(OutputStream out) {
        return new EncryptingStream(out, cipher, piece);
    }

    /** Encrypts what is written, a piece at a time, into one buffer it keeps; closing pads and closes. */
    private static final class EncryptingStream extends FilterOutputStream {
        private final Cipher cipher;
        private final int piece;
        private byte[] buffer = new byte[0];

        EncryptingStream(OutputStream out, Cipher cipher, int piece) {
            super(out);
            this.cipher = cipher;
            this.piece = piece;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int n = Math.min(len, piece);
                // update() may release one block held back from the previous call besides this call's input
                ensure(n + 16);
                try {
                    out.write(buffer, 0, cipher.update(b, off, n, buffer, 0));
                } catch (GeneralSecurityException e) {
                    throw new IOException("encryption failed: " + e.getMessage(), e);
                }
                off += n;
                len -= n;
            }
        }

        @Override
        public void close() throws IOException {
            ensure(32);
            try {
                out.write(buffer, 0, cipher.doFinal(buffer, 0));
            } catch (GeneralSecurityException e) {
                throw new IOException("encryption failed: " + e.getMessage(), e);
            }
            out.close();
        }

        private void ensure(int size) {
            if (buffer.length < size) {
                buffer = new byte[size];
            }
        }
    }
}
