package io.tarn.pipeline;

import io.tarn.current.KeySnapshot;
import io.tarn.pipeline.ColumnSpec.JsonField;
import io.tarn.pipeline.CsvFormat.Gzip;
import io.tarn.pipeline.CsvFormat.Layout;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads pipeline.yaml into a validated {@link PipelineConfig}. Every error names the file, the
 * dataset and the field, e.g. {@code pipeline.yaml: dataset 'orders': columns[3] 'total': unknown
 * type 'money'}.
 */
public final class PipelineLoader {

    /** Glue lower-cases names, and Hive paths need plain ones: keep table and column names simple. */
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,127}");
    private static final Pattern EVERY = Pattern.compile("([0-9]{1,9})([smhd])");
    private static final Set<String> RESERVED_COLUMNS = Set.of(
            "_op", "_commit_ts", "_source_key", "_source_line", "_ingested_at", "_change_seq", Dataset.DATE_PARTITION);
    /** Top-level staging prefixes that are not tables. */
    /** Top-level prefixes of the staging bucket that are not tables. */
    private static final Set<String> RESERVED_TABLES = Set.of("quarantine", "manifests", "changes", "refresh", "_symlink",
            "_tmp");
    /** What a join may be partitioned by: the account, like every staging table. */
    private static final Set<String> JOIN_PARTITIONS = Set.of(Dataset.ACCOUNT_PARTITION);

    private PipelineLoader() {}

    public static PipelineConfig load(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(reader, file.getFileName().toString());
        } catch (IOException e) {
            throw new PipelineConfigException("Cannot read pipeline config " + file + ": " + e.getMessage(), e);
        }
    }

    public static PipelineConfig parse(String yaml, String sourceName) {
        return parse(new StringReader(yaml), sourceName);
    }

    /** The pipeline.yaml bundled in every function jar. */
    public static final String BUNDLED = "pipeline.yaml";

    /** The pipeline.yaml at {@code path} (a function's PIPELINE_CONFIG), or else the jar's own. */
    public static PipelineConfig loadOrBundled(Optional<String> path) {
        return path.map(p -> load(Path.of(p))).orElseGet(() -> loadResource(BUNDLED));
    }

    /** Loads the pipeline.yaml bundled as a classpath resource (how the Lambda jar carries it). */
    public static PipelineConfig loadResource(String resource) {
        var stream = PipelineLoader.class.getClassLoader().getResourceAsStream(resource);
        if (stream == null) {
            throw new PipelineConfigException("Pipeline config resource '" + resource + "' is not on the classpath");
        }
        try (Reader reader = new java.io.InputStreamReader(stream, StandardCharsets.UTF_8)) {
            return parse(reader, resource);
        } catch (IOException e) {
            throw new PipelineConfigException("Cannot read pipeline config resource " + resource, e);
        }
    }

    private static PipelineConfig parse(Reader reader, String sourceName) {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        } catch (YAMLException e) {
            throw new PipelineConfigException(sourceName + ": not valid YAML: " + e.getMessage(), e);
        }
        Node top = new Node(sourceName, root);
        List<Object> datasetNodes = top.map().list("datasets");
        if (datasetNodes.isEmpty()) {
            throw new PipelineConfigException(sourceName + ": 'datasets' lists no dataset");
        }
        List<Dataset> datasets = new ArrayList<>();
        for (int i = 0; i < datasetNodes.size(); i++) {
            Object entry = datasetNodes.get(i);
            String name = entry instanceof Map<?, ?> m && m.get("name") instanceof String s ? s : "#" + (i + 1);
            datasets.add(dataset(new Node(sourceName + ": dataset '" + name + "'", entry).map()));
        }
        checkUnique(sourceName, datasets);
        List<JoinSpec> joins = new ArrayList<>();
        if (top.map().values().get("joins") != null) {
            List<Object> joinNodes = top.map().list("joins");
            for (int i = 0; i < joinNodes.size(); i++) {
                Object entry = joinNodes.get(i);
                String name = entry instanceof Map<?, ?> m && m.get("name") instanceof String s ? s : "#" + (i + 1);
                JoinSpec join = join(new Node(sourceName + ": join '" + name + "'", entry).map(), datasets);
                if (joins.stream().anyMatch(j -> j.name().equals(join.name()))) {
                    throw new PipelineConfigException(sourceName + ": join '" + join.name() + "' is declared twice");
                }
                joins.add(join);
            }
        }
        return new PipelineConfig(datasets, joins);
    }

    /** A dataset's or join's name: a table of its own, so none of the names Tarn keeps for itself. */
    private static String tableName(MapNode node) {
        String name = node.name("name");
        if (RESERVED_TABLES.contains(name)) {
            throw node.error("name", "'" + name + "' is reserved for the staging layer's own prefixes");
        }
        if (name.endsWith(Dataset.CHANGES_SUFFIX)) {
            throw node.error("name", "'" + name + "' ends in " + Dataset.CHANGES_SUFFIX
                    + ", which names the change log of a dataset");
        }
        return name;
    }

    private static JoinSpec join(MapNode node, List<Dataset> datasets) {
        String name = tableName(node);
        if (datasets.stream().anyMatch(d -> d.name().equals(name))) {
            throw node.error("name", "'" + name + "' is already a dataset; a join writes a staging table of its own");
        }
        List<String> sources = node.stringList("sources");
        if (sources.isEmpty()) {
            throw node.error("sources", "lists no dataset");
        }
        Set<String> seen = new HashSet<>();
        for (String source : sources) {
            if (datasets.stream().noneMatch(d -> d.name().equals(source))) {
                throw node.error("sources", "names dataset '" + source + "', which is not declared in datasets");
            }
            if (!seen.add(source)) {
                throw node.error("sources", "names dataset '" + source + "' twice");
            }
        }
        String partitionBy = node.string("partition_by");
        if (!JOIN_PARTITIONS.contains(partitionBy)) {
            throw node.error("partition_by", "must be " + Dataset.ACCOUNT_PARTITION
                    + " (a joined table is partitioned by account like every staging table), got '" + partitionBy + "'");
        }
        String sql = node.string("sql").strip();
        if (sql.isEmpty()) {
            throw node.error("sql", "is empty");
        }
        node.rejectUnknown(Set.of("name", "sources", "partition_by", "sql"));
        return new JoinSpec(name, sources, partitionBy, sql);
    }

    private static Dataset dataset(MapNode node) {
        String name = tableName(node);
        String sourceText = node.string("source");
        SourceKind source = SourceKind.fromConfigName(sourceText).orElseThrow(() -> node.error("source",
                "unknown source kind '" + sourceText + "' (expected dms-mysql, dms-mongodb or azuresql)"));
        String sourceTable = node.string("source_table");
        String rawPrefix = node.string("raw_prefix");
        if (rawPrefix.isEmpty() || !rawPrefix.endsWith("/") || rawPrefix.startsWith("/")) {
            throw node.error("raw_prefix", "must be a key prefix like 'mysql/shop/orders/' (no leading '/', a trailing '/'), got '" + rawPrefix + "'");
        }
        if (rawPrefix.startsWith(KeySnapshot.PREFIX)) {
            throw node.error("raw_prefix", "'" + rawPrefix + "' is under " + KeySnapshot.PREFIX
                    + ", where the poller keeps its key snapshots");
        }
        CsvFormat format = format(node.optionalMap("format").orElse(new MapNode(node.path + ": format", Map.of())), source);

        List<Object> columnNodes = node.list("columns");
        if (columnNodes.isEmpty()) {
            throw node.error("columns", "lists no column");
        }
        List<ColumnSpec> columns = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < columnNodes.size(); i++) {
            Object entry = columnNodes.get(i);
            String columnName = entry instanceof Map<?, ?> m && m.get("name") instanceof String s ? " '" + s + "'" : "";
            ColumnSpec column = column(new Node(node.path + ": columns[" + i + "]" + columnName, entry).map());
            if (!seen.add(column.name())) {
                throw node.error("columns[" + i + "]", "column '" + column.name() + "' is declared twice");
            }
            columns.add(column);
        }
        for (ColumnSpec column : columns) {
            column.fromJson().ifPresent(json -> {
                ColumnSpec document = columns.stream().filter(c -> c.name().equals(json.column())).findFirst()
                        .orElseThrow(() -> node.error("columns", "column '" + column.name()
                                + "' reads JSON from column '" + json.column() + "', which is not declared"));
                if (document.derived() || document.type().kind() != ColumnType.Kind.STRING) {
                    throw node.error("columns", "column '" + column.name() + "' reads JSON from column '"
                            + json.column() + "', which must be a plain string column");
                }
            });
        }

        List<String> primaryKey = node.stringList("primary_key");
        if (primaryKey.isEmpty()) {
            throw node.error("primary_key", "lists no column");
        }
        for (String key : primaryKey) {
            requireColumn(node, "primary_key", columns, key);
        }
        String accountColumn = node.string("account_column");
        ColumnSpec account = requireColumn(node, "account_column", columns, accountColumn);
        if (account.type().kind() != ColumnType.Kind.STRING) {
            throw node.error("account_column", "column '" + accountColumn + "' must be of type string, is " + account.type());
        }
        if (!accountColumn.equals(Dataset.ACCOUNT_PARTITION) && seen.contains(Dataset.ACCOUNT_PARTITION)) {
            throw node.error("columns", "a column named '" + Dataset.ACCOUNT_PARTITION
                    + "' must be the account_column: it is the name of the account partition");
        }
        Optional<String> partitionDate = node.optionalString("partition_date");
        if (partitionDate.isPresent()) {
            ColumnSpec dateColumn = requireColumn(node, "partition_date", columns, partitionDate.get());
            ColumnType.Kind kind = dateColumn.type().kind();
            if (kind != ColumnType.Kind.TIMESTAMP && kind != ColumnType.Kind.DATE) {
                throw node.error("partition_date", "column '" + partitionDate.get() + "' must be a timestamp or a date, is " + dateColumn.type());
            }
        }
        Optional<PollSpec> poll = node.optionalMap("poll").map(PipelineLoader::poll);
        if (poll.isPresent() && source != SourceKind.AZURESQL) {
            throw node.error("poll", "applies to azuresql datasets only; DMS replicates " + source.configName() + " sources");
        }
        if (poll.isEmpty() && source == SourceKind.AZURESQL) {
            throw node.error("poll", "is required for azuresql datasets (strategy: rowversion, timestamp or change_tracking)");
        }
        node.rejectUnknown(Set.of("name", "source", "source_table", "raw_prefix", "format", "columns",
                "primary_key", "account_column", "partition_date", "poll"));
        return new Dataset(name, source, sourceTable, rawPrefix, format, columns, primaryKey, accountColumn, partitionDate,
                poll);
    }

    private static PollSpec poll(MapNode node) {
        String strategyText = node.string("strategy");
        PollSpec.Strategy strategy = PollSpec.Strategy.fromConfigName(strategyText).orElseThrow(() -> node.error("strategy",
                "unknown strategy '" + strategyText + "' (expected rowversion, timestamp or change_tracking)"));
        Optional<String> cursor = node.optionalString("cursor_column");
        if (strategy != PollSpec.Strategy.CHANGE_TRACKING && cursor.isEmpty()) {
            throw node.error("cursor_column", "is required for strategy " + strategyText);
        }
        if (strategy == PollSpec.Strategy.CHANGE_TRACKING && cursor.isPresent()) {
            throw node.error("cursor_column", "does not apply to change_tracking (versions come from CHANGETABLE)");
        }
        int pageSize = node.optionalInt("page_size").orElse(PollSpec.DEFAULT_PAGE_SIZE);
        int fetchSize = node.optionalInt("fetch_size").orElse(Math.min(PollSpec.DEFAULT_FETCH_SIZE, pageSize));
        int lagSeconds = node.optionalInt("lag_seconds").orElse((int) PollSpec.DEFAULT_LAG.toSeconds());
        if (pageSize <= 0) {
            throw node.error("page_size", "must be positive, got " + pageSize);
        }
        if (fetchSize <= 0) {
            throw node.error("fetch_size", "must be positive, got " + fetchSize);
        }
        if (lagSeconds < 0) {
            throw node.error("lag_seconds", "must not be negative, got " + lagSeconds);
        }
        Optional<Duration> deleteDetection = node.optionalMap("delete_detection").map(detection -> {
            if (strategy == PollSpec.Strategy.CHANGE_TRACKING) {
                throw node.error("delete_detection", "does not apply to change_tracking, which reads deletes from"
                        + " CHANGETABLE (and takes a re-snapshot as a key snapshot)");
            }
            Duration every = every(detection, "every");
            detection.rejectUnknown(Set.of("every"));
            return every;
        });
        node.rejectUnknown(Set.of("strategy", "cursor_column", "page_size", "fetch_size", "lag_seconds", "delete_detection"));
        return new PollSpec(strategy, cursor, Duration.ofSeconds(lagSeconds), pageSize, fetchSize,
                deleteDetection);
    }

    /** A positive whole number of seconds, minutes, hours or days: {@code 90s}, {@code 30m}, {@code 6h}, {@code 1d}. */
    private static Duration every(MapNode node, String field) {
        String text = node.string(field).strip();
        Matcher matcher = EVERY.matcher(text);
        if (!matcher.matches() || Long.parseLong(matcher.group(1)) == 0) {
            throw node.error(field, "must be a positive number followed by s, m, h or d (for example 6h), got '" + text + "'");
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }

    private static ColumnSpec requireColumn(MapNode node, String field, List<ColumnSpec> columns, String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> node.error(field, "names column '" + name + "', which is not declared in columns"));
    }

    private static CsvFormat format(MapNode node, SourceKind source) {
        String defaultLayout = source == SourceKind.AZURESQL ? "header" : "dms";
        String layoutText = node.optionalString("layout").orElse(defaultLayout);
        Layout layout = switch (layoutText) {
            case "header" -> Layout.HEADER;
            case "dms" -> Layout.DMS;
            default -> throw node.error("layout", "unknown layout '" + layoutText + "' (expected header or dms)");
        };
        String delimiterText = node.optionalString("delimiter").orElse(",");
        if (delimiterText.equals("\\t")) {
            delimiterText = "\t";
        }
        if (delimiterText.length() != 1 || delimiterText.charAt(0) == '"'
                || delimiterText.charAt(0) == '\n' || delimiterText.charAt(0) == '\r') {
            throw node.error("delimiter", "must be one character other than a quote or a line break, got '" + delimiterText + "'");
        }
        Optional<String> nullToken = node.optionalString("null_token").filter(s -> !s.isEmpty());
        String gzipText = node.optionalString("gzip").orElse("auto");
        Gzip gzip = switch (gzipText.toLowerCase(Locale.ROOT)) {
            case "auto" -> Gzip.AUTO;
            case "true", "always" -> Gzip.ALWAYS;
            case "false", "never" -> Gzip.NEVER;
            default -> throw node.error("gzip", "expected auto, true or false, got '" + gzipText + "'");
        };
        boolean commitTimestamp = node.optionalBoolean("commit_timestamp").orElse(layout == Layout.DMS);
        if (commitTimestamp && layout != Layout.DMS) {
            throw node.error("commit_timestamp", "applies to the dms layout only; header files name a _commit_ts column instead");
        }
        boolean changeSeq = node.optionalBoolean("change_seq").orElse(false);
        if (changeSeq && source == SourceKind.AZURESQL) {
            throw node.error("change_seq", "is DMS's $AR_H_CHANGE_SEQ; the poller's pages have no change sequence");
        }
        node.rejectUnknown(Set.of("layout", "delimiter", "null_token", "gzip", "commit_timestamp", "change_seq"));
        return new CsvFormat(layout, delimiterText.charAt(0), nullToken, gzip, commitTimestamp, changeSeq);
    }

    private static ColumnSpec column(MapNode node) {
        String name = node.string("name");
        if (!NAME.matcher(name).matches() && !name.equals("_id") && !name.equals("_doc")) {
            throw node.error("name", "'" + name + "' is not a valid column name (lower case letters, digits and _, not starting with a digit)");
        }
        if (RESERVED_COLUMNS.contains(name)) {
            throw node.error("name", "'" + name + "' is reserved for a column Tarn adds");
        }
        ColumnType type;
        try {
            type = ColumnType.parse(node.string("type"));
        } catch (IllegalArgumentException e) {
            throw node.error("type", e.getMessage());
        }
        boolean nullable = node.optionalBoolean("nullable").orElse(true);
        Optional<JsonField> fromJson = node.optionalMap("from_json").map(json -> {
            JsonField field = new JsonField(json.string("column"), json.string("field"));
            json.rejectUnknown(Set.of("column", "field"));
            return field;
        });
        node.rejectUnknown(Set.of("name", "type", "nullable", "from_json"));
        return new ColumnSpec(name, type, nullable, fromJson);
    }

    private static void checkUnique(String sourceName, List<Dataset> datasets) {
        for (int i = 0; i < datasets.size(); i++) {
            for (int j = i + 1; j < datasets.size(); j++) {
                Dataset a = datasets.get(i);
                Dataset b = datasets.get(j);
                if (a.name().equals(b.name())) {
                    throw new PipelineConfigException(sourceName + ": dataset '" + a.name() + "' is declared twice");
                }
                if (a.rawPrefix().startsWith(b.rawPrefix()) || b.rawPrefix().startsWith(a.rawPrefix())) {
                    throw new PipelineConfigException(sourceName + ": datasets '" + a.name() + "' and '" + b.name()
                            + "' have overlapping raw prefixes '" + a.rawPrefix() + "' and '" + b.rawPrefix()
                            + "': a raw object must belong to one dataset");
                }
            }
        }
    }

    /** A YAML value with the path that leads to it, for error messages. */
    private record Node(String path, Object value) {
        MapNode map() {
            if (value instanceof Map<?, ?> m) {
                @SuppressWarnings("unchecked")
                Map<String, Object> typed = (Map<String, Object>) m;
                return new MapNode(path, typed);
            }
            throw new PipelineConfigException(path + ": expected a mapping, got " + describe(value));
        }
    }

    private record MapNode(String path, Map<String, Object> values) {

        PipelineConfigException error(String field, String message) {
            return new PipelineConfigException(path + ": " + field + ": " + message);
        }

        Object required(String field) {
            Object value = values.get(field);
            if (value == null) {
                throw error(field, "is required");
            }
            return value;
        }

        String string(String field) {
            Object value = required(field);
            if (value instanceof String || value instanceof Number || value instanceof Boolean) {
                return value.toString();
            }
            throw error(field, "expected a string, got " + describe(value));
        }

        String name(String field) {
            String value = string(field);
            if (!NAME.matcher(value).matches()) {
                throw error(field, "'" + value + "' is not a valid name (lower case letters, digits and _, not starting with a digit)");
            }
            return value;
        }

        Optional<String> optionalString(String field) {
            return values.get(field) == null ? Optional.empty() : Optional.of(string(field));
        }

        Optional<Integer> optionalInt(String field) {
            return optional(field, Integer.class, "a whole number");
        }

        Optional<Boolean> optionalBoolean(String field) {
            return optional(field, Boolean.class, "true or false");
        }

        private <T> Optional<T> optional(String field, Class<T> type, String expected) {
            Object value = values.get(field);
            if (value == null) {
                return Optional.empty();
            }
            if (type.isInstance(value)) {
                return Optional.of(type.cast(value));
            }
            throw error(field, "expected " + expected + ", got " + describe(value));
        }

        List<Object> list(String field) {
            Object value = required(field);
            if (value instanceof List<?> list) {
                return new ArrayList<>(list);
            }
            throw error(field, "expected a list, got " + describe(value));
        }

        List<String> stringList(String field) {
            Object value = required(field);
            if (value instanceof String s) {
                return List.of(s);
            }
            List<String> strings = new ArrayList<>();
            for (Object item : list(field)) {
                if (!(item instanceof String s)) {
                    throw error(field, "expected names, got " + describe(item));
                }
                strings.add(s);
            }
            return strings;
        }

        Optional<MapNode> optionalMap(String field) {
            Object value = values.get(field);
            return value == null ? Optional.empty() : Optional.of(new Node(path + ": " + field, value).map());
        }

        void rejectUnknown(Set<String> known) {
            for (String key : values.keySet()) {
                if (!known.contains(key)) {
                    throw error(String.valueOf(key), "unknown field (expected one of " + new java.util.TreeSet<>(known) + ")");
                }
            }
        }
    }

    private static String describe(Object value) {
        if (value == null) {
            return "nothing";
        }
        if (value instanceof Map) {
            return "a mapping";
        }
        if (value instanceof List) {
            return "a list";
        }
        return "'" + value + "'";
    }
}
