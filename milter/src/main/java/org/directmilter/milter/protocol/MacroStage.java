package org.directmilter.milter.protocol;

import java.util.Optional;

/**
 * The protocol stages macros belong to: the command code a MACRO packet names, and the stage
 * number a SETSYMLIST request uses for it.
 */
public enum MacroStage {
    CONNECT('C', 0),
    HELO('H', 1),
    MAIL('M', 2),
    RCPT('R', 3),
    DATA('T', 4),
    END_OF_MESSAGE('E', 5),
    END_OF_HEADERS('N', 6),
    HEADER('L', -1),
    BODY('B', -1),
    UNKNOWN('U', -1);

    private final char command;
    private final int listIndex;

    MacroStage(char command, int listIndex) {
        this.command = command;
        this.listIndex = listIndex;
    }

    public char command() {
        return command;
    }

    /** Stage number in an OPTNEG macro list request; -1 where MTAs take no request. */
    public int listIndex() {
        return listIndex;
    }

    /** True for stages whose macros describe the SMTP session rather than one message. */
    public boolean perConnection() {
        return this == CONNECT || this == HELO;
    }

    public static Optional<MacroStage> forCommand(char command) {
        for (MacroStage stage : values()) {
            if (stage.command == command) {
                return Optional.of(stage);
            }
        }
        return Optional.empty();
    }

    public static Optional<MacroStage> forListIndex(int index) {
        for (MacroStage stage : values()) {
            if (stage.listIndex == index && index >= 0) {
                return Optional.of(stage);
            }
        }
        return Optional.empty();
    }
}
