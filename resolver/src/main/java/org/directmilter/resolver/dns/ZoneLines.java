package org.directmilter.resolver.dns;

import java.util.Base64;
import org.directmilter.resolver.FoundCertificate;
import org.xbill.DNS.CERTRecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/** Publishing side: the zone line of a CERT record and the size of the DNS answer that carries it. */
public final class ZoneLines {

    private ZoneLines() {
    }

    /** {@code owner TTL IN CERT PKIX 0 0 base64} (or IPKIX); key tag and algorithm 0 as RFC 4398 allows. */
    public static String certLine(String owner, long ttl, int certType, byte[] data) {
        String mnemonic = certType == FoundCertificate.PKIX ? "PKIX"
                : certType == FoundCertificate.IPKIX ? "IPKIX" : Integer.toString(certType);
        return owner + " " + ttl + " IN CERT " + mnemonic + " 0 0 " + Base64.getEncoder().encodeToString(data);
    }

    /** Bytes of a response carrying just this record: header, question, answer and an EDNS0 OPT record. */
    public static int answerSize(String owner, int certType, byte[] data) {
        Name name;
        try {
            name = Name.fromString(owner, Name.root);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not an owner name: " + owner, e);
        }
        Message m = new Message();
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setFlag(Flags.AA);
        m.addRecord(org.xbill.DNS.Record.newRecord(name, Type.CERT, DClass.IN), Section.QUESTION);
        m.addRecord(new CERTRecord(name, DClass.IN, 3600, certType, 0, 0, data), Section.ANSWER);
        m.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
        return m.toWire().length;
    }
}
