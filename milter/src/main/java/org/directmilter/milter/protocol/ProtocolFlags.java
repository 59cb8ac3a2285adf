package org.directmilter.milter.protocol;

/** SMFIP_* protocol bits: steps the MTA may skip, steps that get no reply, and format options. */
public final class ProtocolFlags {
    public static final int NO_CONNECT = 0x01;
    public static final int NO_HELO = 0x02;
    public static final int NO_MAIL = 0x04;
    public static final int NO_RCPT = 0x08;
    public static final int NO_BODY = 0x10;
    public static final int NO_HEADERS = 0x20;
    public static final int NO_EOH = 0x40;
    public static final int NO_REPLY_HEADER = 0x80;
    public static final int NO_UNKNOWN = 0x100;
    public static final int NO_DATA = 0x200;
    public static final int SKIP = 0x400;
    public static final int RCPT_REJECTED = 0x800;
    public static final int NO_REPLY_CONNECT = 0x1000;
    public static final int NO_REPLY_HELO = 0x2000;
    public static final int NO_REPLY_MAIL = 0x4000;
    public static final int NO_REPLY_RCPT = 0x8000;
    public static final int NO_REPLY_DATA = 0x10000;
    public static final int NO_REPLY_UNKNOWN = 0x20000;
    public static final int NO_REPLY_EOH = 0x40000;
    public static final int NO_REPLY_BODY = 0x80000;
    public static final int HEADER_LEADING_SPACE = 0x100000;
    public static final int ALL = 0x1fffff;

    private ProtocolFlags() {
    }

    public static String describe(int flags) {
        return Flags.describe(flags, new String[] {"NOCONNECT", "NOHELO", "NOMAIL", "NORCPT", "NOBODY", "NOHDRS",
            "NOEOH", "NR_HDR", "NOUNKNOWN", "NODATA", "SKIP", "RCPT_REJ", "NR_CONN", "NR_HELO", "NR_MAIL",
            "NR_RCPT", "NR_DATA", "NR_UNKN", "NR_EOH", "NR_BODY", "HDR_LEADSPC"});
    }
}
