package io.tarn.typing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValuesTest {

    // ---- integers

    @Test
    void parsesIntsWithOptionalSignUpToTheLimits() {
        assertThat(Values.parseInt("0")).isZero();
        assertThat(Values.parseInt("-42")).isEqualTo(-42);
        assertThat(Values.parseInt("+42")).isEqualTo(42);
        assertThat(Values.parseInt("007")).isEqualTo(7);
        assertThat(Values.parseInt("2147483647")).isEqualTo(Integer.MAX_VALUE);
        assertThat(Values.parseInt("-2147483648")).isEqualTo(Integer.MIN_VALUE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "+", "-", " 1", "1 ", "1.0", "1e3", "0x10", "\u0663", "1_000", "--1"})
    void rejectsTextThatIsNotAPlainInt(String value) {
        assertThatThrownBy(() -> Values.parseInt(value))
                .isInstanceOf(BadValueException.class)
                .hasMessage("not an int: '" + value + "'");
    }

    @Test
    void rejectsIntsOutOfRange() {
        assertThatThrownBy(() -> Values.parseInt("2147483648"))
                .isInstanceOf(BadValueException.class)
                .hasMessage("int out of range: '2147483648'");
        assertThatThrownBy(() -> Values.parseInt("-2147483649"))
                .hasMessage("int out of range: '-2147483649'");
        assertThatThrownBy(() -> Values.parseInt("99999999999x")).hasMessage("not an int: '99999999999x'");
    }

    @Test
    void parsesLongsUpToTheLimits() {
        assertThat(Values.parseLong("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(Values.parseLong("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
        assertThat(Values.parseLong("+1")).isEqualTo(1L);
    }

    @Test
    void rejectsLongsOutOfRangeOrMalformed() {
        assertThatThrownBy(() -> Values.parseLong("9223372036854775808"))
                .isInstanceOf(BadValueException.class)
                .hasMessage("bigint out of range: '9223372036854775808'");
        assertThatThrownBy(() -> Values.parseLong("12a")).hasMessage("not a bigint: '12a'");
    }

    @Test
    void agreesWithTheJdkOnRandomLongs() {
        Random random = new Random(1);
        for (int i = 0; i < 2000; i++) {
            long value = random.nextLong() >> random.nextInt(64);
            assertThat(Values.parseLong(Long.toString(value))).isEqualTo(value);
            assertThat(Values.parseInt(Integer.toString((int) value))).isEqualTo((int) value);
        }
    }

    // ---- doubles and booleans

    @Test
    void parsesDoublesIncludingExponentsAndSpecialValues() {
        assertThat(Values.parseDouble("1.5")).isEqualTo(1.5);
        assertThat(Values.parseDouble("-.5e-3")).isEqualTo(-0.0005);
        assertThat(Values.parseDouble("5.")).isEqualTo(5.0);
        assertThat(Values.parseDouble("1E10")).isEqualTo(1e10);
        assertThat(Values.parseDouble("NaN")).isNaN();
        assertThat(Values.parseDouble("Infinity")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Values.parseDouble("-Infinity")).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " 1", "1 ", "1.5d", "2f", "0x1p3", "nan", "inf", "1e", "1..2", "abc"})
    void rejectsTextThatIsNotAPlainDouble(String value) {
        assertThatThrownBy(() -> Values.parseDouble(value))
                .isInstanceOf(BadValueException.class)
                .hasMessage("not a double: '" + value + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "TRUE", "True", "t", "T", "yes", "YES", "y", "Y", "1"})
    void parsesTrueSpellings(String value) {
        assertThat(Values.parseBoolean(value)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"false", "FALSE", "f", "F", "no", "No", "n", "N", "0"})
    void parsesFalseSpellings(String value) {
        assertThat(Values.parseBoolean(value)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "2", "on", "off", "truee", "ja", " true", "yeſ", "falſe"})
    void rejectsOtherBooleanSpellings(String value) {
        assertThatThrownBy(() -> Values.parseBoolean(value))
                .isInstanceOf(BadValueException.class)
                .hasMessage("not a boolean: '" + value + "'");
    }

    // ---- decimals

    @Test
    void parsesDecimalsToUnscaledLongs() {
        assertThat(Values.parseUnscaledDecimal("123.45", 12, 2)).isEqualTo(12345);
        assertThat(Values.parseUnscaledDecimal("-1.5", 12, 2)).isEqualTo(-150);
        assertThat(Values.parseUnscaledDecimal("+2", 12, 2)).isEqualTo(200);
        assertThat(Values.parseUnscaledDecimal(".5", 12, 2)).isEqualTo(50);
        assertThat(Values.parseUnscaledDecimal("-.05", 12, 2)).isEqualTo(-5);
        assertThat(Values.parseUnscaledDecimal("5.", 12, 2)).isEqualTo(500);
        assertThat(Values.parseUnscaledDecimal("000123.4", 12, 2)).isEqualTo(12340);
        assertThat(Values.parseUnscaledDecimal("-0.00", 12, 2)).isZero();
        assertThat(Values.parseUnscaledDecimal("9999999999.99", 12, 2)).isEqualTo(999999999999L);
        assertThat(Values.parseUnscaledDecimal("-9999999999.99", 12, 2)).isEqualTo(-999999999999L);
    }

    @Test
    void acceptsExtraFractionDigitsOnlyWhenTheyAreZeros() {
        assertThat(Values.parseUnscaledDecimal("1.500", 12, 2)).isEqualTo(150);
        assertThatThrownBy(() -> Values.parseUnscaledDecimal("1.505", 12, 2))
                .isInstanceOf(BadValueException.class)
                .hasMessage("decimal(12,2) scale exceeded: '1.505'");
    }

    @Test
    void parsesScaleZeroDecimals() {
        assertThat(Values.parseUnscaledDecimal("42", 5, 0)).isEqualTo(42);
        assertThat(Values.parseUnscaledDecimal("42.000", 5, 0)).isEqualTo(42);
        assertThatThrownBy(() -> Values.parseUnscaledDecimal("42.5", 5, 0))
                .hasMessage("decimal(5,0) scale exceeded: '42.5'");
    }

    @Test
    void parsesDecimalsWhoseScaleEqualsPrecision() {
        assertThat(Values.parseUnscaledDecimal("0.99", 2, 2)).isEqualTo(99);
        assertThat(Values.parseUnscaledDecimal(".5", 2, 2)).isEqualTo(50);
        assertThatThrownBy(() -> Values.parseUnscaledDecimal("1.00", 2, 2)).hasMessage("decimal(2,2) overflow: '1.00'");
    }

    @Test
    void parsesEighteenDigitDecimals() {
        assertThat(Values.parseUnscaledDecimal("999999999999999999", 18, 0)).isEqualTo(999_999_999_999_999_999L);
        assertThat(Values.parseUnscaledDecimal("-0.999999999999999999", 18, 18))
                .isEqualTo(-999_999_999_999_999_999L);
    }

    @Test
    void rejectsDecimalsWithTooManyIntegerDigits() {
        assertThatThrownBy(() -> Values.parseUnscaledDecimal("12345678901.00", 12, 2))
                .isInstanceOf(BadValueException.class)
                .hasMessage("decimal(12,2) overflow: '12345678901.00'");
        assertThatThrownBy(() -> Values.parseUnscaledDecimal("-10000000000", 12, 2))
                .hasMessage("decimal(12,2) overflow: '-10000000000'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-", "+", ".", "-.", "1e5", "1.2.3", " 1", "1 ", "1,5", "12345678901234x"})
    void rejectsTextThatIsNotADecimal(String value) {
        assertThatThrownBy(() -> Values.parseUnscaledDecimal(value, 12, 2))
                .isInstanceOf(BadValueException.class)
                .hasMessage("not a decimal(12,2): '" + value + "'");
        assertThatThrownBy(() -> Values.parseDecimal(value, 30, 2))
                .isInstanceOf(BadValueException.class)
                .hasMessage("not a decimal(30,2): '" + value + "'");
    }

    @Test
    void rejectsDecimalTypesThatCannotExist() {
        assertThatThrownBy(() -> Values.parseUnscaledDecimal("1", 19, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("decimal(19,2) does not fit an unscaled long; use parseDecimal");
        assertThatThrownBy(() -> Values.parseDecimal("1", 5, 6))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid decimal type decimal(5,6): need precision >= 1 and 0 <= scale <= precision");
    }

    @Test
    void parsesWideDecimalsAtTheColumnScale() {
        assertThat(Values.parseDecimal("12345678901234567890.5", 38, 10))
                .isEqualTo(new BigDecimal("12345678901234567890.5000000000"));
        assertThat(Values.parseDecimal("-.5", 30, 2)).isEqualTo(new BigDecimal("-0.50"));
        assertThat(Values.parseDecimal("+7.", 30, 0)).isEqualTo(new BigDecimal("7"));
        assertThat(Values.parseDecimal("1.2300", 30, 2)).isEqualTo(new BigDecimal("1.23"));
        assertThat(Values.parseDecimal("9".repeat(28) + ".99", 30, 2)).isEqualTo(new BigDecimal("9".repeat(28) + ".99"));
    }

    @Test
    void rejectsWideDecimalsThatOverflowOrExceedTheScale() {
        String tooWide = "1" + "0".repeat(28) + ".5";
        assertThatThrownBy(() -> Values.parseDecimal(tooWide, 30, 2))
                .isInstanceOf(BadValueException.class)
                .hasMessage("decimal(30,2) overflow: '" + tooWide + "'");
        assertThatThrownBy(() -> Values.parseDecimal("1.234", 30, 2))
                .hasMessage("decimal(30,2) scale exceeded: '1.234'");
    }

    @Test
    void parsesNarrowDecimalsAsBigDecimalsLikeTheUnscaledPath() {
        assertThat(Values.parseDecimal("-12.3", 12, 2)).isEqualTo(new BigDecimal("-12.30"));
        assertThatThrownBy(() -> Values.parseDecimal("12345678901", 12, 2))
                .hasMessage("decimal(12,2) overflow: '12345678901'");
    }

    // ---- dates

    @Test
    void parsesDatesToEpochDays() {
        assertThat(Values.parseDateEpochDays("1970-01-01")).isZero();
        assertThat(Values.parseDateEpochDays("1969-12-31")).isEqualTo(-1);
        assertThat(Values.parseDateEpochDays("2024-02-29")).isEqualTo(LocalDate.of(2024, 2, 29).toEpochDay());
        assertThat(Values.parseDateEpochDays("2000-02-29")).isEqualTo(LocalDate.of(2000, 2, 29).toEpochDay());
        assertThat(Values.parseDateEpochDays("0000-01-01")).isEqualTo(LocalDate.of(0, 1, 1).toEpochDay());
        assertThat(Values.parseDateEpochDays("9999-12-31")).isEqualTo(LocalDate.of(9999, 12, 31).toEpochDay());
    }

    @ParameterizedTest
    @ValueSource(strings = {"2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "2024-01-00",
        "2024-1-01", "2024/01/01", "24-01-01", "2024-01-01 ", "2024-01-0a", "+024-01-01", ""})
    void rejectsInvalidDates(String value) {
        assertThatThrownBy(() -> Values.parseDateEpochDays(value))
                .isInstanceOf(BadValueException.class)
                .hasMessage("not a date: '" + value + "'");
    }

    @Test
    void agreesWithJavaTimeOnEveryDayOfFourHundredYears() {
        LocalDate end = LocalDate.of(2400, 1, 1);
        for (LocalDate day = LocalDate.of(2000, 1, 1); day.isBefore(end); day = day.plusDays(1)) {
            assertThat(Values.parseDateEpochDays(day.toString())).isEqualTo(day.toEpochDay());
        }
    }

    // ---- timestamps

    @Test
    void parsesTheLayoutDmsWrites() {
        assertThat(Values.parseTimestampMicros("2024-03-05 14:07:09.123456"))
                .isEqualTo(micros(LocalDateTime.of(2024, 3, 5, 14, 7, 9, 123_456_000), ZoneOffset.UTC));
    }

    @Test
    void parsesDatesAndShorterTimesAsUtc() {
        assertThat(Values.parseTimestampMicros("1970-01-01")).isZero();
        assertThat(Values.parseTimestampMicros("1970-01-02")).isEqualTo(86_400_000_000L);
        assertThat(Values.parseTimestampMicros("1970-01-01 00:00:01")).isEqualTo(1_000_000L);
        assertThat(Values.parseTimestampMicros("1970-01-01T00:01")).isEqualTo(60_000_000L);
        assertThat(Values.parseTimestampMicros("1969-12-31 23:59:59.999999")).isEqualTo(-1L);
    }

    @Test
    void truncatesFractionsBelowMicroseconds() {
        assertThat(Values.parseTimestampMicros("1970-01-01 00:00:00.5")).isEqualTo(500_000L);
        assertThat(Values.parseTimestampMicros("1970-01-01 00:00:00.000001999")).isEqualTo(1L);
        assertThat(Values.parseTimestampMicros("1969-12-31 23:59:59.999999999")).isEqualTo(-1L);
    }

    @Test
    void convertsOffsetsToUtc() {
        long utcNoon = micros(LocalDateTime.of(2024, 6, 1, 12, 0), ZoneOffset.UTC);

        assertThat(Values.parseTimestampMicros("2024-06-01T12:00:00Z")).isEqualTo(utcNoon);
        assertThat(Values.parseTimestampMicros("2024-06-01 14:00:00+02:00")).isEqualTo(utcNoon);
        assertThat(Values.parseTimestampMicros("2024-06-01 14:30:00+0230")).isEqualTo(utcNoon);
        assertThat(Values.parseTimestampMicros("2024-06-01 07:00:00-05")).isEqualTo(utcNoon);
        assertThat(Values.parseTimestampMicros("2024-06-01 06:00:00.000-06:00")).isEqualTo(utcNoon);
        assertThat(Values.parseTimestampMicros("2024-06-02 06:00:00+18:00")).isEqualTo(utcNoon);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-13-01 10:00", "2024-02-30 10:00:00", "2024-01-01 24:00:00", "2024-01-01 10:60:00",
        "2024-01-01 10:00:60", "2024-01-01 10:00:00.", "2024-01-01 10:00:00.1234567890", "2024-01-01 10:00.5",
        "2024-01-01 10", "2024-01-01 10:0", "2024-01-01 10:00:0", "2024-01-01_10:00:00", "2024-01-01 10:00:00 ",
        "2024-01-01 10:00:00+19:00", "2024-01-01 10:00:00+18:01", "2024-01-01 10:00:00+01:60",
        "2024-01-01 10:00:00+1", "2024-01-01 10:00:00+01:0", "2024-01-01 10:00:00ZZ", "2024-01-01 10:00:00UTC",
        "2024-01-01T", "1700000000", ""})
    void rejectsInvalidTimestamps(String value) {
        assertThatThrownBy(() -> Values.parseTimestampMicros(value))
                .isInstanceOf(BadValueException.class)
                .hasMessage("not a timestamp: '" + value + "'");
    }

    @Test
    void agreesWithJavaTimeOnRandomTimestamps() {
        Random random = new Random(7);
        for (int i = 0; i < 5000; i++) {
            LocalDateTime local = LocalDateTime.of(random.nextInt(9_999), 1 + random.nextInt(12), 1, 0, 0)
                    .plusDays(random.nextInt(31))
                    .withHour(random.nextInt(24))
                    .withMinute(random.nextInt(60))
                    .withSecond(random.nextInt(60));
            int fractionDigits = random.nextInt(10);
            int nanos = 0;
            StringBuilder text = new StringBuilder(local.toLocalDate().toString());
            text.append(random.nextBoolean() ? ' ' : 'T');
            text.append("%02d:%02d:%02d".formatted(local.getHour(), local.getMinute(), local.getSecond()));
            if (fractionDigits > 0) {
                String fraction = "%09d".formatted(random.nextInt(1_000_000_000)).substring(0, fractionDigits);
                nanos = Integer.parseInt((fraction + "000000000").substring(0, 9));
                text.append('.').append(fraction);
            }
            ZoneOffset offset = ZoneOffset.UTC;
            switch (random.nextInt(4)) {
                case 0 -> {}
                case 1 -> text.append('Z');
                case 2 -> {
                    offset = ZoneOffset.ofHoursMinutes(random.nextInt(15) - 7, 0);
                    text.append(offset.getTotalSeconds() == 0 ? "+00:00" : offset.getId());
                }
                default -> {
                    int hours = random.nextInt(14);
                    int minutes = random.nextInt(60);
                    boolean negative = random.nextBoolean();
                    offset = negative ? ZoneOffset.ofHoursMinutes(-hours, -minutes) : ZoneOffset.ofHoursMinutes(hours, minutes);
                    text.append("%s%02d%02d".formatted(negative ? "-" : "+", hours, minutes));
                }
            }
            long expected = micros(local.withNano(nanos), offset);

            assertThat(Values.parseTimestampMicros(text.toString())).as(text.toString()).isEqualTo(expected);
        }
    }

    // ---- errors

    @Test
    void truncatesLongValuesInMessages() {
        String value = "x".repeat(150);

        assertThatThrownBy(() -> Values.parseInt(value))
                .isInstanceOf(BadValueException.class)
                .hasMessage("not an int: '" + "x".repeat(100) + "...' (150 chars)");
    }

    @Test
    void throwsWithoutAStackTrace() {
        assertThatThrownBy(() -> Values.parseDateEpochDays("nope"))
                .isInstanceOfSatisfying(BadValueException.class, e -> assertThat(e.getStackTrace()).isEmpty());
    }

    @Test
    void rejectsNullAsAProgrammingError() {
        assertThatThrownBy(() -> Values.parseTimestampMicros(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("value is null");
    }

    /** Epoch microseconds of a wall-clock time at an offset, floor-truncating nanoseconds. */
    private static long micros(LocalDateTime local, ZoneOffset offset) {
        java.time.Instant instant = local.toInstant(offset).truncatedTo(ChronoUnit.MICROS);
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
    }
}
