package org.directmilter.milter.session;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.directmilter.milter.protocol.MacroStage;

/**
 * The macros a handler reads, per step of the SMTP dialogue: the session asks the MTA for them in option
 * negotiation, so the administrator does not have to list them in milter_*_macros. Immutable; each
 * {@code at…} method returns a copy with that step's names.
 */
public final class MacroRequests {
    private static final MacroRequests NONE = new MacroRequests(new EnumMap<>(MacroStage.class));

    private final Map<MacroStage, List<String>> byStage;

    private MacroRequests(Map<MacroStage, List<String>> byStage) {
        this.byStage = byStage;
    }

    public static MacroRequests none() {
        return NONE;
    }

    public MacroRequests atConnect(String... names) {
        return with(MacroStage.CONNECT, names);
    }

    public MacroRequests atHelo(String... names) {
        return with(MacroStage.HELO, names);
    }

    public MacroRequests atMail(String... names) {
        return with(MacroStage.MAIL, names);
    }

    public MacroRequests atRecipient(String... names) {
        return with(MacroStage.RCPT, names);
    }

    public MacroRequests atEndOfHeaders(String... names) {
        return with(MacroStage.END_OF_HEADERS, names);
    }

    public MacroRequests atEndOfMessage(String... names) {
        return with(MacroStage.END_OF_MESSAGE, names);
    }

    private MacroRequests with(MacroStage stage, String... names) {
        Map<MacroStage, List<String>> copy = new EnumMap<>(MacroStage.class);
        copy.putAll(byStage);
        copy.put(stage, List.of(names));
        return new MacroRequests(copy);
    }

    /** The names per stage, as SETSYMLIST lists them: space-separated. */
    Map<MacroStage, String> lists() {
        Map<MacroStage, String> lists = new EnumMap<>(MacroStage.class);
        byStage.forEach((stage, names) -> {
            if (!names.isEmpty()) {
                lists.put(stage, String.join(" ", names));
            }
        });
        return Collections.unmodifiableMap(lists);
    }
}
