package org.directmilter.milter.config;

import static org.directmilter.milter.config.ConfigKey.Applies.ON_RESTART;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.directmilter.crypto.trust.Certificates;
import org.directmilter.crypto.trust.Direction;
import org.directmilter.crypto.trust.bundle.BundleSpec;

/**
 * The trust bundles the operator subscribed to: one {@code <name>.conf} per bundle under
 * {@link ConfigKeys#BUNDLE_DIR}, in the main file's {@code Key value} syntax, the file name (without
 * {@code .conf}) naming the bundle. A missing directory means no bundles. Files not ending in
 * {@code .conf} (editor backups, {@code .dpkg-old}) are ignored, so is a hidden file.
 */
public final class BundleFiles {

    /** What a bundle file ends with. */
    public static final String SUFFIX = ".conf";

    private static final ValueType<URI> URL_TYPE = ValueType.of("URL", BundleFiles::parseUrl, URI::toString);

    private static final ValueType<Set<Direction>> DIRECTIONS_TYPE = ValueType.of("incoming|outgoing|both", BundleFiles::parseDirections,
            d -> d.size() == 2 ? "both" : d.iterator().next().directoryName());

    public static final ConfigKey<Optional<URI>> URL = key("URL", ValueTypes.optional(URL_TYPE), "required",
            "where the bundle is published: https://… or file:///…");

    public static final ConfigKey<List<String>> DOMAINS = key("Domains", ValueTypes.DOMAIN_LIST, "required",
            "the local domains its anchors apply to, comma separated; all-domains: every local domain");

    public static final ConfigKey<Optional<Set<Direction>>> DIRECTIONS = key("Directions",
            ValueTypes.optional(DIRECTIONS_TYPE), "required",
            "incoming (trust its members' signatures), outgoing (encrypt to its members) or both");

    public static final ConfigKey<Optional<Path>> SIGNER = key("Signer", ValueTypes.optional(ValueTypes.ABSOLUTE_PATH),
            "unset", "the bundle operator's signing certificate (PEM or DER): the bundle must be a CMS "
                    + "signature by its key over the p7b; unset: an unsigned p7b is expected");

    public static final ConfigKey<Optional<Duration>> REFRESH = key("Refresh", ValueTypes.optional(ValueTypes.DURATION),
            "BundleRefresh", "how often it is fetched again (at least 1m)");

    private static final List<ConfigKey<?>> KEYS = List.of(URL, DOMAINS, DIRECTIONS, SIGNER, REFRESH);

    /** The bundles read and every error found, each with its file and line. */
    public record Loaded(List<BundleSpec> bundles, List<ConfigError> errors) {
    }

    private BundleFiles() {
    }

    /** The keys a bundle file knows, in documentation order. */
    public static List<ConfigKey<?>> keys() {
        return KEYS;
    }

    /** Reads every bundle file under {@code dir}; {@code defaultRefresh} applies where Refresh is not set. */
    public static Loaded read(Path dir, Duration defaultRefresh) {
        List<BundleSpec> bundles = new ArrayList<>();
        List<ConfigError> errors = new ArrayList<>();
        if (!Files.exists(dir)) {
            return new Loaded(List.of(), List.of());
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path file : stream) {
                String name = file.getFileName().toString();
                if (name.endsWith(SUFFIX) && !name.startsWith(".")) {
                    files.add(file);
                }
            }
        } catch (IOException e) {
            errors.add(new ConfigError(dir, 0, "cannot list bundle files: " + e.getMessage()));
        }
        files.sort(null);
        ConfigLoader loader = new ConfigLoader(KEYS);
        for (Path file : files) {
            ConfigResult result = loader.load(file);
            if (result instanceof ConfigResult.Invalid invalid) {
                errors.addAll(invalid.errors());
            } else {
                spec(file, ((ConfigResult.Valid) result).config(), defaultRefresh, errors).ifPresent(bundles::add);
            }
        }
        return new Loaded(List.copyOf(bundles), List.copyOf(errors));
    }

    private static Optional<BundleSpec> spec(Path file, MilterConfig c, Duration defaultRefresh,
                                             List<ConfigError> errors) {
        String name = file.getFileName().toString();
        name = name.substring(0, name.length() - SUFFIX.length());
        int before = errors.size();
        if (c.get(URL).isEmpty()) {
            errors.add(new ConfigError(file, 0, "URL is required"));
        }
        if (c.get(DOMAINS).isEmpty()) {
            errors.add(new ConfigError(file, 0, "Domains is required (all-domains: every local domain)"));
        }
        if (c.get(DIRECTIONS).isEmpty()) {
            errors.add(new ConfigError(file, 0, "Directions is required (incoming, outgoing or both)"));
        }
        Optional<X509Certificate> signer = Optional.empty();
        if (c.get(SIGNER).isPresent()) {
            int line = c.lineOf(SIGNER).orElse(0);
            try {
                List<X509Certificate> read = Certificates.parse(Files.readAllBytes(c.get(SIGNER).get()));
                if (read.size() != 1) {
                    errors.add(new ConfigError(file, line, "Signer must hold exactly one certificate, not "
                            + read.size()));
                } else {
                    signer = Optional.of(read.get(0));
                }
            } catch (IOException e) {
                errors.add(new ConfigError(file, line, "cannot read Signer: " + e.getMessage()));
            } catch (CertificateException e) {
                errors.add(new ConfigError(file, line, "Signer: " + e.getMessage()));
            }
        }
        if (errors.size() > before) {
            return Optional.empty();
        }
        try {
            return Optional.of(new BundleSpec(name, c.get(URL).get(), c.get(DOMAINS), c.get(DIRECTIONS).get(),
                    signer, c.get(REFRESH).orElse(defaultRefresh)));
        } catch (IllegalArgumentException e) {
            errors.add(new ConfigError(file, 0, e.getMessage()));
            return Optional.empty();
        }
    }

    private static URI parseUrl(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("https") ? uri.getHost() == null : !scheme.equals("file") || uri.getPath() == null) {
            throw new IllegalArgumentException("\"" + text + "\" is neither an https: URL with a host nor a file: URL");
        }
        return uri;
    }

    private static Set<Direction> parseDirections(String text) {
        Set<Direction> out = EnumSet.noneOf(Direction.class);
        for (String part : text.split(",", -1)) {
            switch (part.strip().toLowerCase(Locale.ROOT)) {
                case "incoming" -> out.add(Direction.INCOMING);
                case "outgoing" -> out.add(Direction.OUTGOING);
                case "both" -> out.addAll(EnumSet.allOf(Direction.class));
                default -> throw new IllegalArgumentException("\"" + text + "\" is not incoming, outgoing or both");
            }
        }
        return Set.copyOf(out);
    }

    /** A key whose unset value is "absent" (an empty Optional or list); {@link #read} applies the rules. */
    @SuppressWarnings("unchecked")
    private static <T> ConfigKey<T> key(String name, ValueType<T> type, String defaultText, String doc) {
        T absent = (T) (type == ValueTypes.DOMAIN_LIST ? List.of() : Optional.empty());
        return new ConfigKey<>(name, type, defaultText, () -> absent, ON_RESTART, doc);
    }

    /** For messages: the bundle names, comma separated. */
    public static String names(List<BundleSpec> bundles) {
        return bundles.stream().map(BundleSpec::name).collect(Collectors.joining(", "));
    }
}
