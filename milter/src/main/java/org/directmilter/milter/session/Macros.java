package org.directmilter.milter.session;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.directmilter.milter.protocol.MacroStage;

/**
 * Macro values the MTA sent, per stage. Names are kept as the MTA spells them ("i", "{auth_authen}")
 * and looked up with or without braces. Message stages are cleared between messages so a value
 * never leaks from one message into the next.
 */
public final class Macros {
    private final Map<MacroStage, Map<String, String>> byStage = new EnumMap<>(MacroStage.class);

    void put(MacroStage stage, Map<String, String> values) {
        byStage.put(stage, new LinkedHashMap<>(values));
    }

    void clearMessageStages() {
        byStage.keySet().removeIf(stage -> !stage.perConnection());
    }

    void clearMessageStagesExcept(MacroStage keep) {
        byStage.keySet().removeIf(stage -> !stage.perConnection() && stage != keep);
    }

    void clear() {
        byStage.clear();
    }

    /** The value of a macro, the latest stage first; "auth_authen" finds "{auth_authen}". */
    public Optional<String> get(String name) {
        String bare = name.startsWith("{") && name.endsWith("}") ? name.substring(1, name.length() - 1) : name;
        MacroStage[] stages = MacroStage.values();
        for (int i = stages.length - 1; i >= 0; i--) {
            Map<String, String> values = byStage.get(stages[i]);
            if (values == null) {
                continue;
            }
            String value = values.get(bare.length() == 1 ? bare : "{" + bare + "}");
            if (value == null) {
                value = values.get(bare);
            }
            if (value != null) {
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }

    public Map<String, String> stage(MacroStage stage) {
        return Collections.unmodifiableMap(byStage.getOrDefault(stage, Map.of()));
    }

    /** A copy, so a handler can keep it beyond the stage it was given at. */
    public Macros snapshot() {
        Macros copy = new Macros();
        byStage.forEach(copy::put);
        return copy;
    }

    @Override
    public String toString() {
        return byStage.toString();
    }
}
