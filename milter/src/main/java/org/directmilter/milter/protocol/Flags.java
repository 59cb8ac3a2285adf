package org.directmilter.milter.protocol;

import java.util.StringJoiner;

final class Flags {
    private Flags() {
    }

    static String describe(int bits, String[] names) {
        StringJoiner out = new StringJoiner("|");
        for (int i = 0; i < names.length; i++) {
            if ((bits & (1 << i)) != 0) {
                out.add(names[i]);
            }
        }
        int unknown = bits & ~((1 << names.length) - 1);
        if (unknown != 0) {
            out.add("0x" + Integer.toHexString(unknown));
        }
        return out.length() == 0 ? "none" : out.toString();
    }
}
