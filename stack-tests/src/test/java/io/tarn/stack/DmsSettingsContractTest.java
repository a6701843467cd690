package io.tarn.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarn.local.template.SamTemplate;
import io.tarn.pipeline.ColumnSpec;
import io.tarn.pipeline.CsvFormat;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.pipeline.PipelineLoader;
import io.tarn.pipeline.SourceKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DMS endpoints and tasks of template.yaml write, for every dms-mysql and dms-mongodb dataset
 * of pipeline.yaml, the CSV the RawObject parser reads (RowTyper's dms layout: op, then the commit
 * timestamp when commit_timestamp is set, then exactly the dataset's CSV columns, then
 * $AR_H_CHANGE_SEQ exactly when change_seq is set; no header; NULL
 * as the unquoted null_token) under the dataset's raw_prefix, where the EventBridge rule sees it.
 * A wrong setting here is otherwise found only when every row of a deployed pipeline is rejected.
 */
class DmsSettingsContractTest {

    private static final Path TEMPLATE_FILE = Path.of("../template.yaml");
    private static final SamTemplate TEMPLATE = SamTemplate.load(TEMPLATE_FILE);
    private static final PipelineConfig PIPELINE = PipelineLoader.load(Path.of("../pipeline.yaml"));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RAW_RULE = "RawObjectCreatedRule";
    private static final Set<SourceKind> DMS_SOURCES = Set.of(SourceKind.DMS_MYSQL, SourceKind.DMS_MONGODB);

    @Test
    void everyDmsDatasetIsWrittenAsTheParserReadsIt() {
        assertThat(dmsDatasets(PIPELINE)).extracting(Dataset::name).containsExactly("orders", "events");
        assertThat(mismatches(TEMPLATE, PIPELINE)).isEmpty();
    }

    @Test
    void theTasksSelectExactlyTheDeclaredSourceTables() {
        List<String> selected = new ArrayList<>();
        TEMPLATE.resourcesOfType("AWS::DMS::ReplicationTask").forEach(task -> selected.addAll(selections(TEMPLATE, task)));
        assertThat(selected).containsExactlyInAnyOrderElementsOf(
                dmsDatasets(PIPELINE).stream().map(Dataset::sourceTable).toList());
    }

    @Test
    void everyResourceThatUsesDmsIsBehindTheDmsCondition() {
        Set<String> dms = new TreeSet<>();
        TEMPLATE.resources().forEach((id, resource) -> {
            if (String.valueOf(((Map<?, ?>) resource).get("Type")).startsWith("AWS::DMS::")) {
                dms.add(id);
            }
        });
        assertThat(dms).hasSize(7);
        TEMPLATE.resources().forEach((id, resource) -> {
            List<TemplateReferencesTest.Reference> references = new ArrayList<>();
            TemplateReferencesTest.collect(resource, id, Set.of(), references);
            boolean usesDms = dms.contains(id) || references.stream().anyMatch(r -> dms.contains(r.name()));
            if (usesDms) {
                assertThat(((Map<?, ?>) resource).get("Condition")).as("condition of %s", id).isEqualTo("DmsEnabled");
            }
        });
        assertThat(((Map<?, ?>) TEMPLATE.parameters().get("EnableDms")).get("Default")).isEqualTo("false");
    }

    @Test
    void aNullTokenThatDiffersFromTheDatasetsIsReported(@TempDir Path dir) throws IOException {
        SamTemplate changed = copyWith(dir, "CsvNullValue: '\\N'", "CsvNullValue: 'NULL'");

        assertThat(mismatches(changed, PIPELINE)).containsExactly(
                "dataset 'orders' (shop.orders): DmsRawTarget S3Settings.CsvNullValue is 'NULL', expected '\\N' (null_token)",
                "dataset 'events' (app.events): DmsRawTarget S3Settings.CsvNullValue is 'NULL', expected '\\N' (null_token)");
    }

    @Test
    void aFolderOutsideTheRawPrefixOrTheRuleIsReported(@TempDir Path dir) throws IOException {
        SamTemplate changed = copyWith(dir, "BucketFolder: dms\n", "BucketFolder: cdc\n");

        assertThat(mismatches(changed, PIPELINE)).containsExactly(
                "dataset 'orders' (shop.orders): DMS writes cdc/shop/orders/, expected the raw_prefix dms/shop/orders/",
                "dataset 'events' (app.events): DMS writes cdc/app/events/, expected the raw_prefix dms/app/events/");
    }

    @Test
    void aCommitTimestampColumnTheDatasetDoesNotExpectIsReported() {
        PipelineConfig withoutCommitTs = new PipelineConfig(PIPELINE.datasets().stream()
                .map(d -> d.name().equals("orders") ? withFormat(d, new CsvFormat(d.format().layout(),
                        d.format().delimiter(), d.format().nullToken(), d.format().gzip(), false, d.format().changeSeq())) : d)
                .toList());

        assertThat(mismatches(TEMPLATE, withoutCommitTs)).containsExactly(
                "dataset 'orders' (shop.orders): DmsRawTarget S3Settings.TimestampColumnName is '_commit_ts', "
                        + "expected absent (commit_timestamp: false: the parser would read it as the first column)");
    }

    @Test
    void aChangeSequenceTheDatasetDoesNotDeclareIsReported() {
        PipelineConfig withoutChangeSeq = new PipelineConfig(PIPELINE.datasets().stream()
                .map(d -> d.name().equals("orders") ? withFormat(d, new CsvFormat(d.format().layout(),
                        d.format().delimiter(), d.format().nullToken(), d.format().gzip(), true, false)) : d)
                .toList());

        assertThat(PIPELINE.dataset("orders").orElseThrow().format().changeSeq()).isTrue();
        assertThat(mismatches(TEMPLATE, withoutChangeSeq)).containsExactly(
                "dataset 'orders' (shop.orders): DmsMySqlTask.TableMappings appends $AR_H_CHANGE_SEQ, but the format says"
                        + " change_seq: false (the parser reads it as the last field)");
    }

    /** Every way the template's DMS settings and the datasets' formats disagree, one line each. */
    static List<String> mismatches(SamTemplate template, PipelineConfig pipeline) {
        List<String> problems = new ArrayList<>();
        List<String> tasks = template.resourcesOfType("AWS::DMS::ReplicationTask");
        for (Dataset dataset : dmsDatasets(pipeline)) {
            String where = "dataset '" + dataset.name() + "' (" + dataset.sourceTable() + ")";
            List<String> selecting = tasks.stream()
                    .filter(task -> selections(template, task).contains(dataset.sourceTable()))
                    .toList();
            if (selecting.size() != 1) {
                problems.add(where + ": selected by " + selecting.size() + " replication tasks " + selecting + ", expected 1");
                continue;
            }
            String task = selecting.get(0);
            Map<String, Object> taskProperties = template.properties(task).orElseThrow();
            check(problems, where, task + ".MigrationType", taskProperties.get("MigrationType"), "full-load-and-cdc", "");
            checkSource(problems, where, template, dataset, refTarget(taskProperties.get("SourceEndpointArn")));
            String target = refTarget(taskProperties.get("TargetEndpointArn"));
            Map<String, Object> endpoint = template.properties(target).orElse(Map.of());
            check(problems, where, target + ".EngineName", endpoint.get("EngineName"), "s3", "");
            Map<String, Object> s3 = map(endpoint.get("S3Settings"));
            checkCsv(problems, where, target + " S3Settings.", s3, dataset.format());
            boolean appended = changeSeqTables(template, task).contains(dataset.sourceTable());
            if (appended != dataset.format().changeSeq()) {
                problems.add(where + ": " + task + ".TableMappings " + (appended ? "appends" : "does not append")
                        + " $AR_H_CHANGE_SEQ, but the format says change_seq: " + dataset.format().changeSeq()
                        + " (the parser reads it as the last field)");
            }

            String[] schemaTable = dataset.sourceTable().split("\\.", 2);
            String folder = Objects.toString(s3.get("BucketFolder"), "");
            String written = (folder.isEmpty() ? "" : folder + "/") + schemaTable[0] + "/" + schemaTable[1] + "/";
            if (!written.equals(dataset.rawPrefix())) {
                problems.add(where + ": DMS writes " + written + ", expected the raw_prefix " + dataset.rawPrefix());
            }
            List<String> prefixes = rulePrefixes(template);
            if (prefixes.stream().noneMatch(dataset.rawPrefix()::startsWith)) {
                problems.add(where + ": " + RAW_RULE + " passes keys under " + prefixes + ", not " + dataset.rawPrefix());
            }
        }
        return problems;
    }

    /** What RowTyper and CsvReader expect of a dms-layout object. */
    private static void checkCsv(List<String> problems, String where, String at, Map<String, Object> s3, CsvFormat format) {
        check(problems, where, at + "DataFormat", s3.get("DataFormat"), "csv", "");
        check(problems, where, at + "CsvDelimiter", s3.getOrDefault("CsvDelimiter", ","),
                String.valueOf(format.delimiter()), " (delimiter)");
        check(problems, where, at + "CsvNullValue", s3.get("CsvNullValue"), format.nullToken().orElse(null), " (null_token)");
        // CsvReader reads RFC 4180 quoting: without it a delimiter inside a value (a JSON _doc) splits the field.
        check(problems, where, at + "Rfc4180", s3.getOrDefault("Rfc4180", true), "true", "");
        boolean header = format.layout() == CsvFormat.Layout.HEADER;
        check(problems, where, at + "AddColumnName", s3.getOrDefault("AddColumnName", false), String.valueOf(header),
                header ? " (layout: header)" : " (layout: dms has no header)");
        if (!header) {
            // The op is the first field of every record, full load included, and D rows must arrive.
            check(problems, where, at + "IncludeOpForFullLoad", s3.get("IncludeOpForFullLoad"), "true", " (layout: dms)");
            check(problems, where, at + "CdcInsertsOnly", s3.getOrDefault("CdcInsertsOnly", false), "false", " (layout: dms)");
            check(problems, where, at + "CdcInsertsAndUpdates", s3.getOrDefault("CdcInsertsAndUpdates", false), "false",
                    " (layout: dms)");
        }
        Object timestampColumn = s3.get("TimestampColumnName");
        boolean hasTimestamp = timestampColumn != null && !timestampColumn.toString().isBlank();
        if (format.commitTimestamp() && !hasTimestamp) {
            problems.add(where + ": " + at + "TimestampColumnName is absent, expected a column name "
                    + "(commit_timestamp: true: the parser reads the second field as the commit timestamp)");
        } else if (!format.commitTimestamp() && hasTimestamp) {
            problems.add(where + ": " + at + "TimestampColumnName is '" + timestampColumn + "', expected absent "
                    + "(commit_timestamp: false: the parser would read it as the first column)");
        }
        String compression = Objects.toString(s3.getOrDefault("CompressionType", "NONE")).toUpperCase(Locale.ROOT);
        switch (format.gzip()) {
            case ALWAYS -> check(problems, where, at + "CompressionType", compression, "GZIP", " (gzip: true)");
            case NEVER -> check(problems, where, at + "CompressionType", compression, "NONE", " (gzip: false)");
            case AUTO -> { } // the parser looks at the first bytes
        }
    }

    /** The source endpoint's engine matches the dataset's source; MongoDB is read in document mode. */
    private static void checkSource(List<String> problems, String where, SamTemplate template, Dataset dataset,
            String source) {
        Map<String, Object> endpoint = template.properties(source).orElse(Map.of());
        String schema = dataset.sourceTable().split("\\.", 2)[0];
        if (dataset.source() == SourceKind.DMS_MYSQL) {
            check(problems, where, source + ".EngineName", endpoint.get("EngineName"), "mysql", "");
            return;
        }
        check(problems, where, source + ".EngineName", endpoint.get("EngineName"), "mongodb", "");
        Map<String, Object> mongo = map(endpoint.get("MongoDbSettings"));
        check(problems, where, source + " MongoDbSettings.NestingLevel", mongo.get("NestingLevel"), "none",
                " (document mode: _id and _doc)");
        check(problems, where, source + " MongoDbSettings.ExtractDocId", mongo.get("ExtractDocId"), "true",
                " (the _id column)");
        check(problems, where, source + " MongoDbSettings.DatabaseName",
                resolveDefault(template, mongo.get("DatabaseName")), schema, " (the schema of source_table)");
        List<String> fields = dataset.csvColumns().stream().map(ColumnSpec::name).toList();
        if (!fields.equals(List.of("_id", "_doc"))) {
            problems.add(where + ": the CSV columns are " + fields + ", expected [_id, _doc] (DMS document mode)");
        }
    }

    private static void check(List<String> problems, String where, String setting, Object actual, String expected,
            String why) {
        String text = actual == null ? null : actual.toString();
        if (!Objects.equals(text, expected)) {
            problems.add(where + ": " + setting + " is " + quoted(text) + ", expected " + quoted(expected) + why);
        }
    }

    private static String quoted(String text) {
        return text == null ? "absent" : "'" + text + "'";
    }

    /** The schema.table names a task's table mapping includes; wildcards and transformations are refused. */
    static List<String> selections(SamTemplate template, String task) {
        Object mappings = template.properties(task).orElseThrow().get("TableMappings");
        JsonNode rules;
        try {
            rules = JSON.readTree(String.valueOf(mappings)).path("rules");
        } catch (IOException e) {
            throw new UncheckedIOException(task + ".TableMappings is not JSON", e);
        }
        List<String> tables = new ArrayList<>();
        for (JsonNode rule : rules) {
            String type = rule.path("rule-type").asText();
            // A transformation other than the change sequence (a renamed schema or column) changes
            // the folder or the fields the raw_prefix and the parser expect.
            if (type.equals("transformation")) {
                assertThat(isChangeSeq(rule)).as("transformation in %s.TableMappings: only the $AR_H_CHANGE_SEQ"
                        + " add-column is expected: %s", task, rule).isTrue();
                continue;
            }
            assertThat(type).as("rule type in %s.TableMappings", task).isEqualTo("selection");
            if (rule.path("rule-action").asText().equals("include")) {
                String schema = rule.path("object-locator").path("schema-name").asText();
                String table = rule.path("object-locator").path("table-name").asText();
                assertThat(schema + table).as("selection in %s.TableMappings", task).doesNotContain("%");
                tables.add(schema + "." + table);
            }
        }
        return tables;
    }

    /** The schema.table names a task's table mapping appends {@code $AR_H_CHANGE_SEQ} to. */
    static List<String> changeSeqTables(SamTemplate template, String task) {
        List<String> tables = new ArrayList<>();
        try {
            for (JsonNode rule : JSON.readTree(String.valueOf(template.properties(task).orElseThrow().get("TableMappings")))
                    .path("rules")) {
                if (isChangeSeq(rule)) {
                    tables.add(rule.path("object-locator").path("schema-name").asText() + "."
                            + rule.path("object-locator").path("table-name").asText());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(task + ".TableMappings is not JSON", e);
        }
        return tables;
    }

    private static boolean isChangeSeq(JsonNode rule) {
        return rule.path("rule-type").asText().equals("transformation")
                && rule.path("rule-action").asText().equals("add-column")
                && rule.path("rule-target").asText().equals("column")
                && rule.path("expression").asText().equals("$AR_H_CHANGE_SEQ");
    }

    private static List<String> rulePrefixes(SamTemplate template) {
        Map<String, Object> pattern = map(template.properties(RAW_RULE).orElse(Map.of()).get("EventPattern"));
        Object keys = map(map(pattern.get("detail")).get("object")).get("key");
        List<String> prefixes = new ArrayList<>();
        if (keys instanceof List<?> list) {
            for (Object key : list) {
                if (key instanceof Map<?, ?> filter && filter.get("prefix") instanceof String prefix) {
                    prefixes.add(prefix);
                }
            }
        }
        return prefixes;
    }

    private static String refTarget(Object value) {
        return value instanceof Map<?, ?> ref && ref.get("Ref") instanceof String name ? name : String.valueOf(value);
    }

    /** A !Ref to a parameter as its default, as a default deployment sees it. */
    private static Object resolveDefault(SamTemplate template, Object value) {
        if (value instanceof Map<?, ?> ref && ref.get("Ref") instanceof String name
                && template.parameters().get(name) instanceof Map<?, ?> parameter) {
            return parameter.get("Default");
        }
        return value;
    }

    private static Map<String, Object> map(Object value) {
        return value instanceof Map ? SamTemplate.cast(value) : Map.of();
    }

    private static List<Dataset> dmsDatasets(PipelineConfig pipeline) {
        return pipeline.datasets().stream().filter(d -> DMS_SOURCES.contains(d.source())).toList();
    }

    private static Dataset withFormat(Dataset d, CsvFormat format) {
        return new Dataset(d.name(), d.source(), d.sourceTable(), d.rawPrefix(), format, d.columns(), d.primaryKey(),
                d.accountColumn(), d.partitionDate(), d.poll());
    }

    private static SamTemplate copyWith(Path dir, String original, String replacement) throws IOException {
        String text = Files.readString(TEMPLATE_FILE);
        assertThat(text).contains(original);
        Path copy = dir.resolve("template.yaml");
        Files.writeString(copy, text.replace(original, replacement));
        return SamTemplate.load(copy);
    }
}
