package io.flowsynth.spark;

import io.flowsynth.encode.ColumnType;
import io.flowsynth.fidelity.ColumnKind;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The one mapping of Spark types to encoder types and report kinds ({@link SparkTypes}); no Spark session. */
class SparkTypesTest {

    @Test
    void everySparkTypeMapsToTheSameEncoderTypeAndReportKindEverywhere() {
        Map<DataType, String> expected = new LinkedHashMap<>();
        expected.put(DataTypes.ByteType, "tinyint byte numerical");
        expected.put(DataTypes.ShortType, "smallint short numerical");
        expected.put(DataTypes.IntegerType, "int int numerical");
        expected.put(DataTypes.LongType, "bigint long numerical");
        expected.put(DataTypes.FloatType, "float float numerical");
        expected.put(DataTypes.DoubleType, "double double numerical");
        expected.put(DataTypes.createDecimalType(12, 2), "decimal(12,2) decimal(12,2) numerical");
        expected.put(DataTypes.BooleanType, "boolean boolean boolean");
        expected.put(DataTypes.StringType, "string string categorical");
        expected.put(DataTypes.DateType, "date date datetime");
        expected.put(DataTypes.TimestampType, "timestamp timestamp datetime");
        expected.put(DataTypes.TimestampNTZType, "timestamp_ntz - datetime");
        expected.put(DataTypes.BinaryType, "binary - -");
        expected.put(DataTypes.createArrayType(DataTypes.IntegerType), "array<int> - -");
        for (Map.Entry<DataType, String> e : expected.entrySet()) {
            Optional<ColumnType> type = SparkTypes.columnType(e.getKey());
            ColumnKind kind = SparkTypes.reportKind(e.getKey());
            assertThat(e.getKey().simpleString() + " " + type.map(ColumnType::toString).orElse("-") + " "
                    + (kind == null ? "-" : kind.label())).isEqualTo(e.getValue());
        }
    }

    @Test
    void onlyTheLocalDateTimeIsADateTimeTheEncodersRefuse() {
        assertThat(SparkTypes.isLocalDateTime(DataTypes.TimestampNTZType)).isTrue();
        assertThat(SparkTypes.isLocalDateTime(DataTypes.TimestampType)).isFalse();
        assertThat(SparkTypes.columnType(DataTypes.TimestampNTZType)).isEmpty();
        assertThat(SparkTypes.reportKind(DataTypes.TimestampNTZType)).isEqualTo(ColumnKind.DATETIME);
    }
}
