package org.directmilter.milter.protocol;

/** SMFIF_* action bits: what a milter may do at end of message, as negotiated in OPTNEG. */
public final class Actions {
    public static final int ADD_HEADERS = 0x01;
    public static final int CHANGE_BODY = 0x02;
    public static final int ADD_RECIPIENTS = 0x04;
    public static final int DELETE_RECIPIENTS = 0x08;
    public static final int CHANGE_HEADERS = 0x10;
    public static final int QUARANTINE = 0x20;
    public static final int CHANGE_FROM = 0x40;
    public static final int ADD_RECIPIENTS_WITH_ARGS = 0x80;
    public static final int SET_MACRO_LIST = 0x100;
    public static final int ALL = 0x1ff;

    private Actions() {
    }

    public static String describe(int actions) {
        return Flags.describe(actions, new String[] {"ADDHDRS", "CHGBODY", "ADDRCPT", "DELRCPT", "CHGHDRS",
            "QUARANTINE", "CHGFROM", "ADDRCPT_PAR", "SETSYMLIST"});
    }
}
