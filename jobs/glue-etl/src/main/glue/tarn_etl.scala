// Glue 5.0 (Spark 3.5, Scala 2.12) entry script of the Tarn ETL job. Glue compiles it; Maven does
// not. All logic is in io.tarn.jobs.etl.EtlJob (the job's --extra-jars); this only maps Glue's job
// parameters to EtlJob's arguments.
//
// Job parameters: --mode join|backfill, --run_id, --pipeline (s3://bucket/pipeline.yaml),
// --staging (s3://bucket); optional --raw (s3://bucket, backfill), --datasets (comma-separated),
// --glue_database (join: the staging tables' database), --tenant_glue_database and
// --tenant_date_range (join: the tenants' twins of the current tables), --settle_seconds,
// --version_retention_hours and --compaction_lateness_days (join). Set
// --user-jars-first true: the jar's AWS SDK is newer than Glue's.
import com.amazonaws.services.glue.GlueContext
import com.amazonaws.services.glue.util.{GlueArgParser, Job}
import io.tarn.jobs.etl.{EtlJob, EtlSettings}
import org.apache.spark.SparkContext

import scala.collection.JavaConverters._

object GlueApp {
  private val Required = Seq("JOB_NAME", "mode", "run_id", "pipeline", "staging")
  private val Optional = Seq("raw", "datasets", "glue_database", "tenant_glue_database", "tenant_date_range",
    "settle_seconds", "version_retention_hours", "compaction_lateness_days")

  def main(sysArgs: Array[String]): Unit = {
    // GlueArgParser fails on a listed option that is absent, so optional ones are listed only when given.
    val given = Optional.filter(name => sysArgs.contains("--" + name))
    val args = GlueArgParser.getResolvedOptions(sysArgs, (Required ++ given).toArray)
    val tarnArgs = (Seq("mode", "run_id", "pipeline", "staging") ++ given)
      .flatMap(name => Seq("--" + name.replace('_', '-'), args(name)))
      .toArray

    val glueContext = new GlueContext(SparkContext.getOrCreate())
    Job.init(args("JOB_NAME"), glueContext, args.asJava)
    val manifest = EtlJob.run(glueContext.getSparkSession, EtlSettings.parse(tarnArgs, System.getenv()))
    println(new String(manifest.toJson, "UTF-8"))
    Job.commit()
  }
}
