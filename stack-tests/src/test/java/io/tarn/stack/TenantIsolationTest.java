package io.tarn.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.embedded.NodePackage;
import io.tarn.local.template.SamTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tenant isolation as IAM decides it. The template's tenant role (identity and trust policies), the
 * buckets' policies and the keys' policies, as one deployment with a tenant broker has them, are
 * evaluated by {@code @cloud-copilot/iam-simulate} (an IAM evaluator written by others) over a
 * matrix of requests: a tenant's own partitions and query results are allowed, and everything
 * else a tenant could try is denied: other tenants, account ids that extend or prefix its own,
 * escaped hostile ids, pipeline records, the raw layer, the registered tables' partition list,
 * other workgroups, and becoming a tenant without the broker. Then each statement is widened in
 * turn, and the matrix must catch every widening. The decisions are written to
 * {@code target/tenant-isolation-matrix.md}.
 */
class TenantIsolationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String IAM_SIMULATE_VERSION = "0.1.173";
    private static final Path SCRIPT = Path.of("src/test/node/iam-simulate-requests.mjs");
    private static final Path INSTALL = Path.of("target/node/iam-simulate");
    private static final Path REPORT = Path.of("target/tenant-isolation-matrix.md");
    private static final SamTemplate TEMPLATE = SamTemplate.load(Path.of("../template.yaml"));

    private static final String ACCOUNT = "111122223333";
    private static final String REGION = "us-east-1";
    private static final String BROKER = "arn:aws:iam::" + ACCOUNT + ":role/tenant-broker";
    private static final String ROLE_NAME = "tarn-TenantReaderRole-1A2B3C4D";
    private static final String ROLE = "arn:aws:iam::" + ACCOUNT + ":role/" + ROLE_NAME;
    private static final String STAGING = "tarn-staging-1a2b";
    private static final String RESULTS = "tarn-queryresults-1a2b";
    private static final String RAW = "tarn-raw-1a2b";
    private static final String STAGING_KEY = "arn:aws:kms:" + REGION + ":" + ACCOUNT + ":key/1111aaaa-staging";
    private static final String RAW_KEY = "arn:aws:kms:" + REGION + ":" + ACCOUNT + ":key/2222bbbb-raw";
    private static final String OTHER_KEY = "arn:aws:kms:" + REGION + ":" + ACCOUNT + ":key/3333cccc-other";
    private static final String DATABASE = "tarn_tarn";
    private static final String TENANT_DATABASE = "tarn_tarn_tenants";
    private static final String WORKGROUP = "tarn-tarn";
    private static final String TENANT_WORKGROUP = "tarn-tarn-tenants";

    private static final StackValues WITH_BROKER = stack(Map.of("TenantBrokerPrincipalArns", List.of(BROKER)));

    /** Who asks: a tenant session (tagged with its account id), the broker, or someone else. */
    enum Who {
        ACME("acme"), GLOBEX("globex"), STAR("*"), BROKER, ADMIN, ROOT, OTHER_ACCOUNT;

        final String tag;

        Who() {
            this(null);
        }

        Who(String tag) {
            this.tag = tag;
        }

        String principal() {
            return switch (this) {
                case BROKER -> TenantIsolationTest.BROKER;
                case ADMIN -> "arn:aws:iam::" + ACCOUNT + ":role/platform-admin";
                case ROOT -> "arn:aws:iam::" + ACCOUNT + ":root";
                case OTHER_ACCOUNT -> "arn:aws:iam::444455556666:role/intruder";
                default -> "arn:aws:sts::" + ACCOUNT + ":assumed-role/" + ROLE_NAME + "/" + tag;
            };
        }
    }

    record Case(String name, Who who, String action, String resource, Map<String, Object> context, boolean allowed) {
        String request() {
            String target = resource.startsWith("arn:aws:s3:::") ? "s3://" + resource.substring("arn:aws:s3:::".length()) : resource;
            StringBuilder text = new StringBuilder(who.name().toLowerCase() + " " + action + " " + target);
            context.forEach((key, value) -> {
                if (!key.equals("aws:SecureTransport") || !"true".equals(value)) {
                    text.append(" ").append(key).append("=").append(value);
                }
            });
            return text.toString();
        }
    }

    /** The policies of one deployment, as JSON trees, so that a mutation can widen one statement. */
    record Policies(JsonNode tenantIdentity, JsonNode trust, Map<String, JsonNode> resourcePolicies) {}

    private static final List<Case> MATRIX = matrix();
    private static NodePackage simulator;

    @BeforeAll
    static void installEvaluator() {
        simulator = NodePackage.installed(INSTALL, "@cloud-copilot/iam-simulate", IAM_SIMULATE_VERSION);
    }

    @Test
    void theDefaultDeploysNoTenantRoleAndNoTenantWorkGroup() {
        StackValues defaults = stack(Map.of());
        assertThat(defaults.condition("TenantAccessEnabled")).isFalse();
        assertThat(WITH_BROKER.condition("TenantAccessEnabled")).isTrue();
        for (String resource : List.of("TenantReaderRole", "TenantAthenaWorkGroup")) {
            assertThat(SamTemplate.cast(TEMPLATE.resources().get(resource)))
                    .as(resource).containsEntry("Condition", "TenantAccessEnabled");
        }
    }

    @Test
    void tenantsReachTheirOwnDataAndNothingElse() throws IOException {
        Policies deployed = policies(WITH_BROKER);
        List<String> decisions = decide(List.of(deployed)).get(0);

        StringBuilder report = new StringBuilder("# Tenant isolation matrix\n\n")
                .append("Evaluated by @cloud-copilot/iam-simulate ").append(IAM_SIMULATE_VERSION)
                .append(" over template.yaml (TenantBrokerPrincipalArns=").append(BROKER).append(").\n\n")
                .append("| # | case | request | expected | decision |\n| --- | --- | --- | --- | --- |\n");
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < MATRIX.size(); i++) {
            Case c = MATRIX.get(i);
            String decision = decisions.get(i);
            report.append("| ").append(i + 1).append(" | ").append(c.name()).append(" | `").append(c.request().replace("|", "\\|"))
                    .append("` | ").append(c.allowed() ? "Allowed" : "Denied").append(" | ").append(decision).append(" |\n");
            if (c.allowed() != decision.equals("Allowed")) {
                wrong.add("%s (%s): expected %s, got %s".formatted(c.name(), c.request(), c.allowed() ? "Allowed" : "Denied", decision));
            }
        }
        Files.createDirectories(REPORT.getParent());
        Files.writeString(REPORT, report);
        assertThat(wrong).as("cases the evaluator decided otherwise (report: %s)", REPORT).isEmpty();
    }

    @Test
    void everyWideningOfOneStatementIsCaught() throws IOException {
        Policies deployed = policies(WITH_BROKER);
        Map<String, Policies> mutations = widenings(deployed);
        List<Policies> all = new ArrayList<>();
        all.add(deployed);
        all.addAll(mutations.values());
        List<List<String>> decisions = decide(all);

        StringBuilder report = new StringBuilder("\n## Each statement widened\n\n| widening | cases it flips |\n| --- | --- |\n");
        List<String> uncaught = new ArrayList<>();
        int variant = 1;
        for (String mutation : mutations.keySet()) {
            List<String> flipped = new ArrayList<>();
            for (int i = 0; i < MATRIX.size(); i++) {
                if (!decisions.get(variant).get(i).equals(decisions.get(0).get(i))) {
                    flipped.add(String.valueOf(i + 1));
                }
            }
            report.append("| ").append(mutation).append(" | ").append(flipped.isEmpty() ? "none" : String.join(", ", flipped)).append(" |\n");
            if (flipped.isEmpty()) {
                uncaught.add(mutation);
            }
            variant++;
        }
        Files.createDirectories(REPORT.getParent());
        Files.writeString(REPORT.resolveSibling("tenant-isolation-mutations.md"), report);
        assertThat(mutations).hasSizeGreaterThan(15);
        assertThat(uncaught).as("widenings no case of the matrix notices").isEmpty();
    }

    // ------------------------------------------------------------------------------------------
    // The matrix
    // ------------------------------------------------------------------------------------------

    private static List<Case> matrix() {
        List<Case> cases = new ArrayList<>();
        String acmeOrders = "orders/account_id=acme/part-3f2a-00000.zstd.parquet";
        // Staging: reads
        cases.add(get("own partition", Who.ACME, STAGING, acmeOrders, true));
        cases.add(get("own partition, day partition below", Who.ACME, STAGING, "orders/account_id=acme/dt=2024-06-01/part-3f2a-00000.zstd.parquet", true));
        cases.add(get("own partition of a joined table", Who.ACME, STAGING, "account_daily/account_id=acme/part-00000-c000.zstd.parquet", true));
        cases.add(get("another tenant's partition", Who.ACME, STAGING, "orders/account_id=globex/part-3f2a-00000.zstd.parquet", false));
        cases.add(get("an id that extends ours (acme2)", Who.ACME, STAGING, "orders/account_id=acme2/part-3f2a-00000.zstd.parquet", false));
        cases.add(get("an id that prefixes ours (acm)", Who.ACME, STAGING, "orders/account_id=acm/part-3f2a-00000.zstd.parquet", false));
        cases.add(get("an escaped hostile id (acme/../globex)", Who.ACME, STAGING, "orders/account_id=acme%2F..%2Fglobex/part-3f2a-00000.zstd.parquet", false));
        cases.add(get("an escaped hostile id (acme/dt=x)", Who.ACME, STAGING, "orders/account_id=acme%2Fdt%3Dx/part-3f2a-00000.zstd.parquet", false));
        cases.add(get("our id in another case (ACME)", Who.ACME, STAGING, "orders/account_id=ACME/part-3f2a-00000.zstd.parquet", false));
        cases.add(get("quarantine", Who.ACME, STAGING, "quarantine/orders/3f2a.csv", false));
        cases.add(get("quarantine under our account segment", Who.ACME, STAGING, "quarantine/orders/account_id=acme/3f2a.csv", false));
        cases.add(get("a manifest", Who.ACME, STAGING, "manifests/orders/3f2a.json", false));
        cases.add(get("a run manifest", Who.ACME, STAGING, "etl-runs/etl-20240601T0200-c41d.json", false));
        cases.add(get("a run manifest under our account segment", Who.ACME, STAGING, "etl-runs/account_id=acme/x.json", false));
        cases.add(get("raw data", Who.ACME, RAW, "dms/shop/orders/LOAD00000001.csv", false));
        cases.add(get("raw data under our account segment", Who.ACME, RAW, "x/account_id=acme/LOAD00000001.csv", false));
        cases.add(new Case("own partition over plain HTTP", Who.ACME, "s3:GetObject", s3(STAGING, acmeOrders),
                Map.of("aws:SecureTransport", "false"), false));
        cases.add(get("a session tagged '*' reading another tenant", Who.STAR, STAGING, "orders/account_id=globex/part-3f2a-00000.zstd.parquet", false));
        cases.add(get("another tenant's own session", Who.GLOBEX, STAGING, "orders/account_id=globex/part-3f2a-00000.zstd.parquet", true));
        // Staging: writes
        cases.add(put("write into own partition", Who.ACME, STAGING, acmeOrders, STAGING_KEY, false));
        cases.add(object("delete from own partition", Who.ACME, "s3:DeleteObject", STAGING, acmeOrders, false));
        // Staging: listing
        cases.add(list("list own partition", Who.ACME, STAGING, "orders/account_id=acme/", true));
        cases.add(list("list own day partition", Who.ACME, STAGING, "orders/account_id=acme/dt=2024-06-01/", true));
        cases.add(list("list the bucket without prefix", Who.ACME, STAGING, null, false));
        cases.add(list("list a table", Who.ACME, STAGING, "orders/", false));
        cases.add(list("list every account of a table", Who.ACME, STAGING, "orders/account_id=", false));
        cases.add(list("list our id without the slash (acme, acme2...)", Who.ACME, STAGING, "orders/account_id=acme", false));
        cases.add(list("list another tenant's partition", Who.ACME, STAGING, "orders/account_id=globex/", false));
        cases.add(list("list an account segment at the bucket's root", Who.ACME, STAGING, "account_id=acme/", false));
        cases.add(list("list quarantine under our account segment", Who.ACME, STAGING, "quarantine/orders/account_id=acme/", false));
        cases.add(list("list manifests under our account segment", Who.ACME, STAGING, "manifests/account_id=acme/", false));
        cases.add(list("list raw under our account segment", Who.ACME, RAW, "x/account_id=acme/", false));
        cases.add(list("list raw at an account segment", Who.ACME, RAW, "account_id=acme/", false));
        // Query results
        String acmeResult = "account_id=acme/5b1c0e2e-7d4f-4c3a-9b8e-0f6e2a1d3c4b.csv";
        cases.add(get("own query result", Who.ACME, RESULTS, acmeResult, true));
        cases.add(put("write own query result", Who.ACME, RESULTS, acmeResult, STAGING_KEY, true));
        cases.add(new Case("write own query result under the bucket's default key", Who.ACME, "s3:PutObject",
                s3(RESULTS, acmeResult), Map.of("aws:SecureTransport", "true"), true));
        cases.add(new Case("write own query result with S3-managed keys", Who.ACME, "s3:PutObject", s3(RESULTS, acmeResult),
                Map.of("aws:SecureTransport", "true", "s3:x-amz-server-side-encryption", "AES256"), false));
        cases.add(put("write own query result with another KMS key", Who.ACME, RESULTS, acmeResult, OTHER_KEY, false));
        cases.add(new Case("own query result over plain HTTP", Who.ACME, "s3:GetObject", s3(RESULTS, acmeResult),
                Map.of("aws:SecureTransport", "false"), false));
        cases.add(object("finish a multipart result", Who.ACME, "s3:AbortMultipartUpload", RESULTS, acmeResult, true));
        cases.add(get("another tenant's query result", Who.ACME, RESULTS, "account_id=globex/5b1c.csv", false));
        cases.add(put("overwrite another tenant's query result", Who.ACME, RESULTS, "account_id=globex/5b1c.csv", STAGING_KEY, false));
        cases.add(get("query result of an id that extends ours", Who.ACME, RESULTS, "account_id=acme2/5b1c.csv", false));
        cases.add(get("query result of an id that prefixes ours", Who.ACME, RESULTS, "account_id=acm/5b1c.csv", false));
        cases.add(get("the pipeline's query results", Who.ACME, RESULTS, "results/5b1c.csv", false));
        cases.add(object("delete own query result", Who.ACME, "s3:DeleteObject", RESULTS, acmeResult, false));
        cases.add(list("list own query results", Who.ACME, RESULTS, "account_id=acme/", true));
        cases.add(list("list query results without prefix", Who.ACME, RESULTS, null, false));
        cases.add(list("list another tenant's query results", Who.ACME, RESULTS, "account_id=globex/", false));
        cases.add(list("list query results of an id that extends ours", Who.ACME, RESULTS, "account_id=acme", false));
        cases.add(new Case("list every tenant's unfinished results", Who.ACME, "s3:ListBucketMultipartUploads",
                "arn:aws:s3:::" + RESULTS, Map.of("aws:SecureTransport", "true"), false));
        cases.add(new Case("locate the results bucket", Who.ACME, "s3:GetBucketLocation", "arn:aws:s3:::" + RESULTS,
                Map.of("aws:SecureTransport", "true"), true));
        cases.add(new Case("locate the raw bucket", Who.ACME, "s3:GetBucketLocation", "arn:aws:s3:::" + RAW,
                Map.of("aws:SecureTransport", "true"), false));
        // Keys
        cases.add(kms("decrypt staging data through S3", Who.ACME, "kms:Decrypt", STAGING_KEY, "s3." + REGION + ".amazonaws.com", true));
        cases.add(kms("encrypt a query result through S3", Who.ACME, "kms:GenerateDataKey", STAGING_KEY, "s3." + REGION + ".amazonaws.com", true));
        cases.add(kms("decrypt with the staging key directly", Who.ACME, "kms:Decrypt", STAGING_KEY, null, false));
        cases.add(kms("decrypt with the staging key through SNS", Who.ACME, "kms:Decrypt", STAGING_KEY, "sns." + REGION + ".amazonaws.com", false));
        cases.add(kms("decrypt raw data through S3", Who.ACME, "kms:Decrypt", RAW_KEY, "s3." + REGION + ".amazonaws.com", false));
        // Catalog
        cases.add(glue("read a tenant table", Who.ACME, "glue:GetTable", "table/" + TENANT_DATABASE + "/orders", true));
        cases.add(glue("list the tenant tables", Who.ACME, "glue:GetTables", "database/" + TENANT_DATABASE, true));
        cases.add(glue("list a tenant table's partitions", Who.ACME, "glue:GetPartitions", "table/" + TENANT_DATABASE + "/orders", false));
        cases.add(glue("read a tenant table's partition", Who.ACME, "glue:GetPartition", "table/" + TENANT_DATABASE + "/orders", false));
        cases.add(glue("read a registered table", Who.ACME, "glue:GetTable", "table/" + DATABASE + "/orders", false));
        cases.add(glue("list a registered table's partitions (the customer list)", Who.ACME, "glue:GetPartitions", "table/" + DATABASE + "/orders", false));
        cases.add(glue("list the registered tables", Who.ACME, "glue:GetTables", "database/" + DATABASE, false));
        cases.add(glue("change a tenant table", Who.ACME, "glue:UpdateTable", "table/" + TENANT_DATABASE + "/orders", false));
        // Athena
        cases.add(athena("query in the tenant workgroup", Who.ACME, "athena:StartQueryExecution", TENANT_WORKGROUP, true));
        cases.add(athena("fetch a query's results", Who.ACME, "athena:GetQueryResults", TENANT_WORKGROUP, true));
        cases.add(athena("query in the pipeline's workgroup", Who.ACME, "athena:StartQueryExecution", WORKGROUP, false));
        cases.add(athena("list the tenant workgroup's queries (others' ids)", Who.ACME, "athena:ListQueryExecutions", TENANT_WORKGROUP, false));
        // Becoming a tenant
        cases.add(assume("the broker signs acme in", Who.BROKER, "sts:AssumeRole", tags("acme"), true));
        cases.add(assume("the broker tags acme's session", Who.BROKER, "sts:TagSession", tags("acme"), true));
        cases.add(assume("the broker without an account tag", Who.BROKER, "sts:AssumeRole", Map.of(), false));
        cases.add(assume("the broker with an empty account tag", Who.BROKER, "sts:AssumeRole", tags(""), false));
        cases.add(assume("the broker with a tag holding '/'", Who.BROKER, "sts:AssumeRole", tags("acme/dt=2024-06-01"), false));
        cases.add(assume("the broker with a tag holding ':'", Who.BROKER, "sts:TagSession", tags("acme:globex"), false));
        cases.add(assume("the broker with a tag holding '='", Who.BROKER, "sts:TagSession", tags("a=b"), false));
        Map<String, Object> extraKey = new LinkedHashMap<>(tags("acme"));
        extraKey.put("aws:TagKeys", List.of("account_id", "role"));
        cases.add(assume("the broker adding a tag key", Who.BROKER, "sts:TagSession", extraKey, false));
        Map<String, Object> notTransitive = new LinkedHashMap<>(tags("acme"));
        notTransitive.put("sts:TransitiveTagKeys", List.of("account_id", "role"));
        cases.add(assume("the broker passing another tag on", Who.BROKER, "sts:TagSession", notTransitive, false));
        cases.add(assume("an administrator of the account", Who.ADMIN, "sts:AssumeRole", tags("acme"), false));
        cases.add(assume("the account root", Who.ROOT, "sts:AssumeRole", tags("acme"), false));
        cases.add(assume("a principal of another account", Who.OTHER_ACCOUNT, "sts:AssumeRole", tags("acme"), false));
        cases.add(assume("a tenant session becoming another tenant", Who.ACME, "sts:AssumeRole", tags("globex"), false));
        // The buckets' encryption rules, for the pipeline's writers (DMS and Spark send no header)
        cases.add(new Case("a writer relying on the staging bucket's default encryption", Who.ADMIN, "s3:PutObject",
                s3(STAGING, "account_daily/account_id=acme/part-00000.zstd.parquet"), Map.of("aws:SecureTransport", "true"), true));
        cases.add(new Case("a writer relying on the raw bucket's default encryption", Who.ADMIN, "s3:PutObject",
                s3(RAW, "dms/shop/orders/20240601-120000000.csv"), Map.of("aws:SecureTransport", "true"), true));
        cases.add(new Case("a writer asking for S3-managed keys in staging", Who.ADMIN, "s3:PutObject",
                s3(STAGING, "orders/account_id=acme/x.parquet"),
                Map.of("aws:SecureTransport", "true", "s3:x-amz-server-side-encryption", "AES256"), false));
        cases.add(put("a writer naming another key in staging", Who.ADMIN, STAGING, "orders/account_id=acme/x.parquet", OTHER_KEY, false));
        cases.add(new Case("a writer asking for S3-managed keys in raw", Who.ADMIN, "s3:PutObject", s3(RAW, "dms/x.csv"),
                Map.of("aws:SecureTransport", "true", "s3:x-amz-server-side-encryption", "AES256"), false));
        cases.add(put("a writer naming another key in raw", Who.ADMIN, RAW, "dms/x.csv", OTHER_KEY, false));
        cases.add(new Case("a writer without TLS in raw", Who.ADMIN, "s3:PutObject", s3(RAW, "dms/x.csv"),
                Map.of("aws:SecureTransport", "false"), false));
        return List.copyOf(cases);
    }

    private static Case get(String name, Who who, String bucket, String key, boolean allowed) {
        return object(name, who, "s3:GetObject", bucket, key, allowed);
    }

    private static Case object(String name, Who who, String action, String bucket, String key, boolean allowed) {
        return new Case(name, who, action, s3(bucket, key), Map.of("aws:SecureTransport", "true"), allowed);
    }

    private static Case put(String name, Who who, String bucket, String key, String kmsKey, boolean allowed) {
        return new Case(name, who, "s3:PutObject", s3(bucket, key), Map.of("aws:SecureTransport", "true",
                "s3:x-amz-server-side-encryption", "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id", kmsKey), allowed);
    }

    private static Case list(String name, Who who, String bucket, String prefix, boolean allowed) {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("aws:SecureTransport", "true");
        if (prefix != null) {
            context.put("s3:prefix", prefix);
        }
        return new Case(name, who, "s3:ListBucket", "arn:aws:s3:::" + bucket, context, allowed);
    }

    private static Case kms(String name, Who who, String action, String key, String viaService, boolean allowed) {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("aws:SecureTransport", "true");
        if (viaService != null) {
            context.put("kms:ViaService", viaService);
        }
        return new Case(name, who, action, key, context, allowed);
    }

    private static Case glue(String name, Who who, String action, String resource, boolean allowed) {
        return new Case(name, who, action, "arn:aws:glue:" + REGION + ":" + ACCOUNT + ":" + resource,
                Map.of("aws:SecureTransport", "true"), allowed);
    }

    private static Case athena(String name, Who who, String action, String workgroup, boolean allowed) {
        return new Case(name, who, action, "arn:aws:athena:" + REGION + ":" + ACCOUNT + ":workgroup/" + workgroup,
                Map.of("aws:SecureTransport", "true"), allowed);
    }

    private static Case assume(String name, Who who, String action, Map<String, Object> tags, boolean allowed) {
        Map<String, Object> context = new LinkedHashMap<>(tags);
        context.put("aws:SecureTransport", "true");
        return new Case(name, who, action, ROLE, context, allowed);
    }

    /** The request context of AssumeRole with the one session tag account_id, passed on to chained sessions. */
    private static Map<String, Object> tags(String account) {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("aws:RequestTag/account_id", account);
        context.put("aws:TagKeys", List.of("account_id"));
        context.put("sts:TransitiveTagKeys", List.of("account_id"));
        return context;
    }

    private static String s3(String bucket, String key) {
        return "arn:aws:s3:::" + bucket + "/" + key;
    }

    // ------------------------------------------------------------------------------------------
    // The deployment's policies, their widenings, and the evaluator
    // ------------------------------------------------------------------------------------------

    private static StackValues stack(Map<String, Object> parameters) {
        Map<String, String> ids = Map.ofEntries(
                Map.entry("StagingBucket", STAGING), Map.entry("QueryResultsBucket", RESULTS), Map.entry("RawBucket", RAW),
                Map.entry("GlueDatabase", DATABASE), Map.entry("TenantDatabase", TENANT_DATABASE),
                Map.entry("AthenaWorkGroup", WORKGROUP), Map.entry("TenantAthenaWorkGroup", TENANT_WORKGROUP),
                Map.entry("TenantReaderRole", ROLE_NAME), Map.entry("StagingKey", STAGING_KEY.substring(STAGING_KEY.indexOf('/') + 1)),
                Map.entry("RawKey", RAW_KEY.substring(RAW_KEY.indexOf('/') + 1)));
        Map<String, String> attributes = Map.of(
                "StagingBucket.Arn", "arn:aws:s3:::" + STAGING, "QueryResultsBucket.Arn", "arn:aws:s3:::" + RESULTS,
                "RawBucket.Arn", "arn:aws:s3:::" + RAW, "StagingKey.Arn", STAGING_KEY, "RawKey.Arn", RAW_KEY,
                "TenantReaderRole.Arn", ROLE);
        Map<String, String> pseudo = Map.of("AWS::Partition", "aws", "AWS::Region", REGION, "AWS::AccountId", ACCOUNT,
                "AWS::StackName", "tarn", "AWS::URLSuffix", "amazonaws.com");
        return new StackValues(TEMPLATE, parameters, pseudo, ids, attributes);
    }

    private static Policies policies(StackValues stack) {
        List<Object> identity = new ArrayList<>();
        for (Object policy : (List<?>) stack.property("TenantReaderRole", "Policies")) {
            identity.add(SamTemplate.cast(policy).get("PolicyDocument"));
        }
        Map<String, JsonNode> resources = new LinkedHashMap<>();
        resources.put("arn:aws:s3:::" + STAGING, JSON.valueToTree(stack.property("StagingBucketPolicy", "PolicyDocument")));
        resources.put("arn:aws:s3:::" + RESULTS, JSON.valueToTree(stack.property("QueryResultsBucketPolicy", "PolicyDocument")));
        resources.put("arn:aws:s3:::" + RAW, JSON.valueToTree(stack.property("RawBucketPolicy", "PolicyDocument")));
        resources.put(STAGING_KEY, JSON.valueToTree(stack.property("StagingKey", "KeyPolicy")));
        resources.put(RAW_KEY, JSON.valueToTree(stack.property("RawKey", "KeyPolicy")));
        return new Policies(JSON.valueToTree(identity),
                JSON.valueToTree(stack.property("TenantReaderRole", "AssumeRolePolicyDocument")), resources);
    }

    /**
     * One policy set per widening: each Allow statement of the tenant role (identity and trust)
     * loses its condition, or gets every resource ({@code *}), or (trust) trusts the whole account;
     * each Deny statement of the tenant role and of the buckets' policies is dropped.
     */
    private static Map<String, Policies> widenings(Policies deployed) {
        Map<String, Policies> mutations = new LinkedHashMap<>();
        JsonNode identity = deployed.tenantIdentity();
        for (int p = 0; p < identity.size(); p++) {
            JsonNode statements = identity.get(p).get("Statement");
            for (int s = 0; s < statements.size(); s++) {
                int policy = p;
                int index = s;
                JsonNode statement = statements.get(s);
                String label = "TenantReaderRole " + statement.path("Sid").asText();
                widen(statement, label).forEach((what, widened) -> mutations.put(what, new Policies(
                        replaceStatement(identity, policy, index, widened), deployed.trust(), deployed.resourcePolicies())));
            }
        }
        JsonNode trust = deployed.trust().get("Statement");
        for (int s = 0; s < trust.size(); s++) {
            int index = s;
            JsonNode statement = trust.get(s);
            String label = "TenantReaderRole trust " + statement.path("Sid").asText();
            Map<String, JsonNode> variants = widen(statement, label);
            if (statement.path("Effect").asText().equals("Allow")) {
                JsonNode wholeAccount = edit(statement, node -> {
                    node.putObject("Principal").put("AWS", "arn:aws:iam::" + ACCOUNT + ":root");
                    return node;
                });
                variants.put(label + ": trusts the whole account", wholeAccount);
            }
            variants.forEach((what, widened) -> mutations.put(what, new Policies(deployed.tenantIdentity(),
                    replaceStatement(JSON.createArrayNode().add(deployed.trust()), 0, index, widened).get(0),
                    deployed.resourcePolicies())));
        }
        Map<String, String> buckets = Map.of(STAGING, "StagingBucketPolicy", RESULTS, "QueryResultsBucketPolicy",
                RAW, "RawBucketPolicy");
        buckets.forEach((bucket, logicalId) -> {
            JsonNode policy = deployed.resourcePolicies().get("arn:aws:s3:::" + bucket);
            for (int s = 0; s < policy.get("Statement").size(); s++) {
                JsonNode statement = policy.get("Statement").get(s);
                int index = s;
                widen(statement, logicalId + " " + statement.path("Sid").asText()).forEach((what, widened) -> {
                    Map<String, JsonNode> resources = new LinkedHashMap<>(deployed.resourcePolicies());
                    resources.put("arn:aws:s3:::" + bucket, replaceStatement(JSON.createArrayNode().add(policy), 0, index, widened).get(0));
                    mutations.put(what, new Policies(deployed.tenantIdentity(), deployed.trust(), resources));
                });
            }
        });
        return mutations;
    }

    /** The widenings of one statement; a null value drops the statement. */
    private static Map<String, JsonNode> widen(JsonNode statement, String label) {
        Map<String, JsonNode> variants = new LinkedHashMap<>();
        if (statement.path("Effect").asText().equals("Deny")) {
            variants.put(label + ": dropped", null);
            return variants;
        }
        if (statement.has("Condition")) {
            variants.put(label + ": without its condition", edit(statement, node -> {
                node.remove("Condition");
                return node;
            }));
        }
        if (statement.has("Resource")) {
            variants.put(label + ": on every resource", edit(statement, node -> {
                node.put("Resource", "*");
                return node;
            }));
        }
        return variants;
    }

    private static JsonNode edit(JsonNode statement, UnaryOperator<ObjectNode> change) {
        return change.apply(((ObjectNode) statement).deepCopy());
    }

    /** The policies with one statement replaced (or removed, for null). */
    private static JsonNode replaceStatement(JsonNode policies, int policy, int index, JsonNode statement) {
        ArrayNode copy = (ArrayNode) policies.deepCopy();
        ArrayNode statements =
                (ArrayNode) copy.get(policy).get("Statement");
        if (statement == null) {
            statements.remove(index);
        } else {
            statements.set(index, statement);
        }
        return copy;
    }

    /** The evaluator's decision on every case of the matrix, for each policy set, in one Node run. */
    private static List<List<String>> decide(List<Policies> variants) throws IOException {
        ArrayNode simulations = JSON.createArrayNode();
        for (Policies policies : variants) {
            for (Case c : MATRIX) {
                simulations.add(simulation(policies, c));
            }
        }
        String input = JSON.writeValueAsString(JSON.createObjectNode().set("simulations", simulations));
        NodePackage.Result result = simulator.run(SCRIPT, input, Duration.ofMinutes(5));
        assertThat(result.exitCode()).as("iam-simulate; stderr:%n%s", result.stderr()).isZero();
        JsonNode decisions = JSON.readTree(result.stdout());
        assertThat(decisions).hasSize(simulations.size());
        List<List<String>> byVariant = new ArrayList<>();
        for (int v = 0; v < variants.size(); v++) {
            List<String> row = new ArrayList<>();
            for (int i = 0; i < MATRIX.size(); i++) {
                JsonNode decision = decisions.get(v * MATRIX.size() + i);
                assertThat(decision.has("error")).as("iam-simulate refused case %s: %s", MATRIX.get(i).request(),
                        decision.path("error").asText()).isFalse();
                row.add(decision.get("decision").asText());
            }
            byVariant.add(row);
        }
        return byVariant;
    }

    private static JsonNode simulation(Policies policies, Case c) {
        ObjectNode simulation = JSON.createObjectNode();
        ArrayNode identity = simulation.putArray("identityPolicies");
        Map<String, Object> context = new LinkedHashMap<>(c.context());
        switch (c.who()) {
            case ACME, GLOBEX, STAR -> {
                for (int i = 0; i < policies.tenantIdentity().size(); i++) {
                    identity.addObject().put("name", "tenant-" + i).set("policy", policies.tenantIdentity().get(i));
                }
                context.put("aws:PrincipalTag/account_id", c.who().tag);
            }
            // What the README asks of the broker's own policy.
            case BROKER -> identity.addObject().put("name", "broker").set("policy", JSON.valueToTree(Map.of(
                    "Version", "2012-10-17", "Statement", List.of(Map.of("Effect", "Allow",
                            "Action", List.of("sts:AssumeRole", "sts:TagSession"), "Resource", ROLE)))));
            default -> identity.addObject().put("name", "administrator").set("policy", JSON.valueToTree(Map.of(
                    "Version", "2012-10-17", "Statement", List.of(Map.of("Effect", "Allow", "Action", "*", "Resource", "*")))));
        }
        String bucketOrKey = c.resource().startsWith("arn:aws:s3:::")
                ? "arn:aws:s3:::" + c.resource().substring("arn:aws:s3:::".length()).split("/", 2)[0]
                : c.resource();
        JsonNode resourcePolicy = c.resource().equals(ROLE) ? policies.trust() : policies.resourcePolicies().get(bucketOrKey);
        if (resourcePolicy != null) {
            simulation.set("resourcePolicy", resourcePolicy);
        }
        ObjectNode request = simulation.putObject("request");
        request.put("principal", c.who().principal()).put("action", c.action());
        request.putObject("resource").put("resource", c.resource()).put("accountId", ACCOUNT);
        request.set("contextVariables", JSON.valueToTree(context));
        return simulation;
    }
}
