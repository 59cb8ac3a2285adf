package org.directmilter.milter.protocol;

import java.util.EnumMap;
import java.util.Map;

/**
 * What a milter wants from OPTNEG, and what it gets once the MTA's offer is taken into account.
 * The milter never asks for more than the MTA offers: Postfix drops a milter that does, and a
 * step the MTA cannot skip or a no-reply it does not know simply stays off.
 */
public record Negotiation(int version, int actions, int protocolFlags, Map<MacroStage, String> macroRequests) {

    public static final int PROTOCOL_VERSION = 6;

    public Negotiation {
        macroRequests = macroRequests.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(macroRequests));
    }

    /** The agreed options for the MTA's offer; the result is what the OPTNEG reply carries. */
    public Negotiation agree(Command.OptionNegotiation offer) throws MilterProtocolException {
        if (offer.version() < 2) {
            throw new MilterProtocolException("MTA offers milter protocol version " + offer.version()
                    + "; version 2 or later is required");
        }
        int agreedVersion = Math.min(version, offer.version());
        int agreedActions = actions & offer.actions();
        int agreedFlags = protocolFlags & offer.protocolFlags();
        boolean macrosAllowed = (offer.actions() & Actions.SET_MACRO_LIST) != 0 && agreedVersion >= 6;
        return new Negotiation(agreedVersion, macrosAllowed ? agreedActions : agreedActions & ~Actions.SET_MACRO_LIST,
                agreedFlags, macrosAllowed ? macroRequests : Map.of());
    }

    public Response.OptionNegotiation reply() {
        return new Response.OptionNegotiation(version, actions, protocolFlags, macroRequests);
    }

    public boolean has(int protocolFlag) {
        return (protocolFlags & protocolFlag) == protocolFlag;
    }

    public boolean allows(int action) {
        return (actions & action) == action;
    }
}
