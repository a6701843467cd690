package io.tarn.pipeline;

import java.util.Arrays;
import java.util.Optional;

/** Where a dataset's raw objects come from. */
public enum SourceKind {
    /** MySQL through AWS DMS full load and CDC. */
    DMS_MYSQL("dms-mysql"),
    /** MongoDB through AWS DMS in document mode ({@code _id} plus a {@code _doc} JSON column). */
    DMS_MONGODB("dms-mongodb"),
    /** Azure SQL through the scheduled SqlPoller function. */
    AZURESQL("azuresql");

    private final String configName;

    SourceKind(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    static Optional<SourceKind> fromConfigName(String name) {
        return Arrays.stream(values()).filter(kind -> kind.configName.equals(name)).findFirst();
    }
}
