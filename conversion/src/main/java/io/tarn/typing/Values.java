package io.tarn.typing;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;

/**
 * Parsers from CSV text to column values, written for the typing hot path: no regular
 * expressions, no java.time, no boxing, and failures as a stack-less {@link BadValueException}.
 *
 * <p>All parsers are strict about layout: no surrounding whitespace, ASCII digits only. Null tokens
 * are the caller's concern; passing {@code null} is a programming error.
 */
public final class Values {
    /** How much of an offending value an error message shows. */
    static final int MAX_SHOWN_CHARS = 100;

    private static final long SECONDS_PER_DAY = 86_400L;
    private static final long MICROS_PER_SECOND = 1_000_000L;
    /** Days from 0000-01-01 to 1970-01-01 in the proleptic Gregorian calendar. */
    private static final long DAYS_0000_TO_1970 = 719_528L;
    private static final int MAX_UNSCALED_PRECISION = 18;

    private Values() {}

    /** A decimal integer with an optional {@code +} or {@code -} sign, within int range. */
    public static int parseInt(CharSequence s) {
        return (int) parseIntegral(s, Integer.MIN_VALUE, Integer.MAX_VALUE, "an int", "int");
    }

    /** A decimal integer with an optional {@code +} or {@code -} sign, within long range. */
    public static long parseLong(CharSequence s) {
        return parseIntegral(s, Long.MIN_VALUE, Long.MAX_VALUE, "a bigint", "bigint");
    }

    /**
     * A decimal floating-point number: optional sign, digits with an optional {@code .}, optional
     * exponent ({@code 1.5e-3}). {@code NaN}, {@code Infinity} and {@code -Infinity} are accepted
     * (spelled exactly so) because Parquet doubles can hold them and Java exports write them. Hex
     * literals and Java's {@code d}/{@code f} suffixes, which {@link Double#parseDouble} would take,
     * are rejected.
     */
    public static double parseDouble(CharSequence s) {
        requireNonNull(s, "value is null");
        int len = s.length();
        if (len == 0) {
            throw bad("not a double", s);
        }
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
                return switch (s.toString()) {
                    case "NaN" -> Double.NaN;
                    case "Infinity", "+Infinity" -> Double.POSITIVE_INFINITY;
                    case "-Infinity" -> Double.NEGATIVE_INFINITY;
                    default -> throw bad("not a double", s);
                };
            }
        }
        try {
            return Double.parseDouble(s.toString());
        } catch (NumberFormatException e) {
            // Only strings made of number characters get here ("1e", "1-2"), so this is rare.
            throw bad("not a double", s);
        }
    }

    /**
     * {@code true/false}, {@code t/f}, {@code yes/no}, {@code y/n} (ASCII case-insensitive) or
     * {@code 1/0}.
     */
    public static boolean parseBoolean(CharSequence s) {
        requireNonNull(s, "value is null");
        if (s.length() == 1) {
            char c = lowerAscii(s.charAt(0));
            if (c == 't' || c == 'y' || c == '1') {
                return true;
            }
            if (c == 'f' || c == 'n' || c == '0') {
                return false;
            }
        } else if (equalsLowerAscii(s, "true") || equalsLowerAscii(s, "yes")) {
            return true;
        } else if (equalsLowerAscii(s, "false") || equalsLowerAscii(s, "no")) {
            return false;
        }
        throw bad("not a boolean", s);
    }

    /**
     * A decimal as its unscaled long for a {@code decimal(precision, scale)} column with precision up
     * to 18: {@code "12.3"} at scale 2 is {@code 1230}.
     *
     * <p>Accepts an optional sign, digits, an optional point ({@code ".5"} and {@code "5."} are fine),
     * no exponent. Never rounds: fractional digits beyond the scale are allowed only if they are
     * zeros. Integer digits beyond {@code precision - scale} (leading zeros aside) are an overflow.
     *
     * @throws IllegalArgumentException if precision is not 1..18 or scale not 0..precision
     */
    public static long parseUnscaledDecimal(CharSequence s, int precision, int scale) {
        requireNonNull(s, "value is null");
        checkDecimalType(precision, scale);
        if (precision > MAX_UNSCALED_PRECISION) {
            throw new IllegalArgumentException(
                    "decimal(%d,%d) does not fit an unscaled long; use parseDecimal".formatted(precision, scale));
        }
        int len = s.length();
        int i = 0;
        boolean negative = false;
        if (len > 0 && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            negative = s.charAt(0) == '-';
            i = 1;
        }
        int maxIntegerDigits = precision - scale;
        long unscaled = 0;
        int digits = 0;
        int integerDigits = 0;
        for (; i < len; i++) {
            char c = s.charAt(i);
            if (c == '.') {
                break;
            }
            if (c < '0' || c > '9') {
                throw bad("not a " + decimalType(precision, scale), s);
            }
            digits++;
            if (unscaled == 0 && c == '0') {
                continue;
            }
            if (++integerDigits > maxIntegerDigits) {
                throw decimalError(s, precision, scale, "overflow");
            }
            unscaled = unscaled * 10 + (c - '0');
        }
        int fractionDigits = 0;
        for (i++; i < len; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw bad("not a " + decimalType(precision, scale), s);
            }
            digits++;
            if (fractionDigits < scale) {
                unscaled = unscaled * 10 + (c - '0');
                fractionDigits++;
            } else if (c != '0') {
                throw decimalError(s, precision, scale, "scale exceeded");
            }
        }
        if (digits == 0) {
            throw bad("not a " + decimalType(precision, scale), s);
        }
        for (; fractionDigits < scale; fractionDigits++) {
            unscaled *= 10;
        }
        return negative ? -unscaled : unscaled;
    }

    /**
     * A decimal for a {@code decimal(precision, scale)} column of any precision, with the rules of
     * {@link #parseUnscaledDecimal}; the result has exactly {@code scale}.
     *
     * @throws IllegalArgumentException if precision is below 1 or scale not 0..precision
     */
    public static BigDecimal parseDecimal(CharSequence s, int precision, int scale) {
        requireNonNull(s, "value is null");
        checkDecimalType(precision, scale);
        if (precision <= MAX_UNSCALED_PRECISION) {
            return BigDecimal.valueOf(parseUnscaledDecimal(s, precision, scale), scale);
        }
        if (!isDecimalSyntax(s)) {
            throw bad("not a " + decimalType(precision, scale), s);
        }
        BigDecimal value = new BigDecimal(s.toString());
        // Checked first so that RoundingMode.UNNECESSARY below can never throw.
        if (value.scale() > scale && value.stripTrailingZeros().scale() > scale) {
            throw bad(decimalType(precision, scale) + " scale exceeded", s);
        }
        value = value.setScale(scale, java.math.RoundingMode.UNNECESSARY);
        if (value.precision() > precision) {
            throw bad(decimalType(precision, scale) + " overflow", s);
        }
        return value;
    }

    /**
     * A {@code yyyy-MM-dd} date (years 0000 to 9999, proleptic Gregorian) as days since 1970-01-01.
     */
    public static int parseDateEpochDays(CharSequence s) {
        requireNonNull(s, "value is null");
        if (s.length() != 10) {
            throw bad("not a date", s);
        }
        return (int) epochDay(s, "not a date");
    }

    /**
     * A timestamp as microseconds since 1970-01-01T00:00:00Z. Accepted layouts:
     *
     * <ul>
     *   <li>{@code yyyy-MM-dd} (midnight);
     *   <li>{@code yyyy-MM-dd HH:mm:ss} or {@code HH:mm}, with {@code T} instead of the space;
     *   <li>after seconds, a fraction of 1 to 9 digits, truncated to microseconds (DMS writes
     *       {@code yyyy-MM-dd HH:mm:ss.SSSSSS});
     *   <li>then optionally {@code Z}, or an offset {@code +HH:MM}, {@code +HHMM} or {@code +HH}
     *       (either sign, up to 18 hours) that is subtracted to get UTC. Without one, the time is
     *       taken as UTC.
     * </ul>
     *
     * Hours are 0-23, minutes and seconds 0-59 (no leap seconds), days checked against the month.
     */
    public static long parseTimestampMicros(CharSequence s) {
        requireNonNull(s, "value is null");
        String what = "not a timestamp";
        int len = s.length();
        if (len < 10) {
            throw bad(what, s);
        }
        long days = epochDay(s, what);
        if (len == 10) {
            return days * SECONDS_PER_DAY * MICROS_PER_SECOND;
        }
        char separator = s.charAt(10);
        if ((separator != ' ' && separator != 'T' && separator != 't') || len < 16 || s.charAt(13) != ':') {
            throw bad(what, s);
        }
        int hour = twoDigits(s, 11);
        int minute = twoDigits(s, 14);
        int second = 0;
        long micros = 0;
        int i = 16;
        if (i < len && s.charAt(i) == ':') {
            second = twoDigits(s, 17);
            i = 19;
            if (i < len && s.charAt(i) == '.') {
                int start = ++i;
                while (i < len && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                    if (i - start < 6) {
                        micros = micros * 10 + (s.charAt(i) - '0');
                    }
                    i++;
                }
                int fractionDigits = i - start;
                if (fractionDigits == 0 || fractionDigits > 9) {
                    throw bad(what, s);
                }
                for (int k = fractionDigits; k < 6; k++) {
                    micros *= 10;
                }
            }
        }
        if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            throw bad(what, s);
        }
        int offsetSeconds = 0;
        if (i < len) {
            offsetSeconds = offsetSeconds(s, i, what);
        }
        long epochSeconds = days * SECONDS_PER_DAY + hour * 3600L + minute * 60L + second - offsetSeconds;
        return epochSeconds * MICROS_PER_SECOND + micros;
    }

    /** Offset starting at s[i] to the end: Z, +HH, +HHMM or +HH:MM, in seconds east of UTC. */
    private static int offsetSeconds(CharSequence s, int i, String what) {
        int len = s.length();
        char sign = s.charAt(i);
        if ((sign == 'Z' || sign == 'z') && i + 1 == len) {
            return 0;
        }
        if (sign != '+' && sign != '-') {
            throw bad(what, s);
        }
        int hours = twoDigits(s, i + 1);
        int minutes = switch (len - i - 1) {
            case 2 -> 0;
            case 4 -> twoDigits(s, i + 3);
            case 5 -> s.charAt(i + 3) == ':' ? twoDigits(s, i + 4) : -1;
            default -> -1;
        };
        if (hours < 0 || minutes < 0 || minutes > 59 || hours > 18 || (hours == 18 && minutes > 0)) {
            throw bad(what, s);
        }
        int seconds = hours * 3600 + minutes * 60;
        return sign == '-' ? -seconds : seconds;
    }

    /** The yyyy-MM-dd at the start of s (at least 10 chars) as epoch days. */
    private static long epochDay(CharSequence s, String what) {
        if (s.charAt(4) != '-' || s.charAt(7) != '-') {
            throw bad(what, s);
        }
        int yearHigh = twoDigits(s, 0);
        int yearLow = twoDigits(s, 2);
        int month = twoDigits(s, 5);
        int day = twoDigits(s, 8);
        if (yearHigh < 0 || yearLow < 0 || month < 1 || month > 12 || day < 1) {
            throw bad(what, s);
        }
        int year = yearHigh * 100 + yearLow;
        if (day > daysInMonth(year, month)) {
            throw bad(what, s);
        }
        // Same arithmetic as LocalDate.toEpochDay, for years >= 0.
        long total = 365L * year + (year + 3) / 4 - (year + 99) / 100 + (year + 399) / 400;
        total += (367 * month - 362) / 12;
        total += day - 1;
        if (month > 2) {
            total--;
            if (!isLeapYear(year)) {
                total--;
            }
        }
        return total - DAYS_0000_TO_1970;
    }

    private static boolean isLeapYear(int year) {
        return (year & 3) == 0 && (year % 100 != 0 || year % 400 == 0);
    }

    private static int daysInMonth(int year, int month) {
        return switch (month) {
            case 2 -> isLeapYear(year) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** The two ASCII digits at s[i..i+2) as a number, or -1 if they are not two digits. */
    private static int twoDigits(CharSequence s, int i) {
        if (i + 1 >= s.length()) {
            return -1;
        }
        int high = s.charAt(i) - '0';
        int low = s.charAt(i + 1) - '0';
        if (high < 0 || high > 9 || low < 0 || low > 9) {
            return -1;
        }
        return high * 10 + low;
    }

    /**
     * Accumulates negatively, as Long.parseLong does, so that the minimum value (one larger in
     * magnitude than the maximum) parses without overflow.
     */
    private static long parseIntegral(CharSequence s, long min, long max, String article, String type) {
        requireNonNull(s, "value is null");
        int len = s.length();
        int i = 0;
        boolean negative = false;
        if (len > 0 && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            negative = s.charAt(0) == '-';
            i = 1;
        }
        if (i == len) {
            throw bad("not " + article, s);
        }
        long limit = negative ? min : -max;
        long multiplyLimit = limit / 10;
        long result = 0;
        for (; i < len; i++) {
            int digit = s.charAt(i) - '0';
            if (digit < 0 || digit > 9) {
                throw bad("not " + article, s);
            }
            if (result < multiplyLimit || result * 10 < limit + digit) {
                throw bad((isDigits(s, i) ? type + " out of range" : "not " + article), s);
            }
            result = result * 10 - digit;
        }
        return negative ? result : -result;
    }

    private static boolean isDigits(CharSequence s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** Optional sign, digits, optional point and digits, at least one digit in all. */
    private static boolean isDecimalSyntax(CharSequence s) {
        int len = s.length();
        int i = len > 0 && (s.charAt(0) == '-' || s.charAt(0) == '+') ? 1 : 0;
        int digits = 0;
        boolean point = false;
        for (; i < len; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
            } else if (c == '.' && !point) {
                point = true;
            } else {
                return false;
            }
        }
        return digits > 0;
    }

    /** An overflow or scale error, unless the value is not even a decimal, which is said first. */
    private static BadValueException decimalError(CharSequence s, int precision, int scale, String problem) {
        String type = decimalType(precision, scale);
        return isDecimalSyntax(s) ? bad(type + " " + problem, s) : bad("not a " + type, s);
    }

    private static void checkDecimalType(int precision, int scale) {
        if (precision < 1 || scale < 0 || scale > precision) {
            throw new IllegalArgumentException(
                    "invalid decimal type %s: need precision >= 1 and 0 <= scale <= precision"
                            .formatted(decimalType(precision, scale)));
        }
    }

    private static String decimalType(int precision, int scale) {
        return "decimal(" + precision + "," + scale + ")";
    }

    private static char lowerAscii(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    /** Unlike equalsIgnoreCase, does not let non-ASCII letters such as U+017F match "s". */
    private static boolean equalsLowerAscii(CharSequence s, String lower) {
        if (s.length() != lower.length()) {
            return false;
        }
        for (int i = 0; i < lower.length(); i++) {
            if (lowerAscii(s.charAt(i)) != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static BadValueException bad(String what, CharSequence chars) {
        String value = chars.toString();
        String shown = value.length() <= MAX_SHOWN_CHARS
                ? "'" + value + "'"
                : "'" + value.substring(0, MAX_SHOWN_CHARS) + "...' (" + value.length() + " chars)";
        return new BadValueException(what + ": " + shown);
    }
}
