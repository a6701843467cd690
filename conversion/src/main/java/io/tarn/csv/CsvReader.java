package io.tarn.csv;

import static java.util.Objects.requireNonNull;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.util.Arrays;
import java.util.Optional;

/**
 * A streaming RFC 4180 reader: one record at a time, fields as strings, quote character {@code "}.
 *
 * <p>Usage: {@code while (reader.next()) { reader.field(0) ... }}. The accessors describe the
 * current record until the next call to {@link #next()}.
 *
 * <p>What is accepted beyond the RFC, so that one odd row never stops a file:
 *
 * <ul>
 *   <li>Record terminators may be LF, CRLF or a lone CR, mixed freely; a last record may lack one.
 *   <li>Empty lines are skipped: they are not records. So a record made of one empty unquoted
 *       field cannot be expressed; write it as {@code ""}.
 *   <li>A U+FEFF byte order mark as the very first character is dropped.
 *   <li>A quote inside an unquoted field is kept literally ({@code ab"c} reads as {@code ab"c});
 *       a field is quoted only if its first character is the quote, so {@code  "a"} (leading
 *       space) is the literal text {@code  "a"}.
 *   <li>Text between a closing quote and the next delimiter or terminator is appended literally
 *       ({@code "ab"cd} reads as {@code abcd}, still reported as {@linkplain #quoted(int)
 *       quoted}).
 *   <li>A quote left open at end of input yields one last record, flagged {@link #malformed()},
 *       whose last field holds everything after the quote; then {@link #next()} returns false.
 *   <li>A record longer than the bound (16 Mi chars by default) is not held in memory: it is
 *       skipped to its end by the same grammar and reported {@linkplain #malformed() malformed},
 *       with no fields and a {@linkplain #rawRecord() raw text} cut to its first 64 Ki chars;
 *       reading goes on with the next record. With a quote that never closes, that record runs to
 *       the end of the input, as the grammar says.
 * </ul>
 *
 * <p>Line numbers count physical lines (LF, CRLF or CR), including those inside quoted fields.
 * Not thread-safe. Decompression is the caller's business: wrap the stream before the reader.
 */
public final class CsvReader implements Closeable {
    static final int DEFAULT_BUFFER_CHARS = 64 * 1024;
    /**
     * A quote that never closes makes the rest of the object one record; past this bound the
     * reader skips the record instead of holding a whole multi-gigabyte object in memory.
     */
    public static final int DEFAULT_MAX_RECORD_CHARS = 16 * 1024 * 1024;
    /** How much of a skipped record is kept for quarantine: enough to find it, bounded in memory. */
    static final int KEPT_RAW_CHARS = 64 * 1024;

    private static final char QUOTE = '"';
    private static final char BOM = '\uFEFF';

    // Where skipOversizedRecord is in a record.
    private static final int FIELD_START = 0;
    private static final int UNQUOTED = 1;
    private static final int QUOTED = 2;
    /** In a quoted field, just after a quote: it closes the field unless another quote follows. */
    private static final int QUOTE_SEEN = 3;

    private final Reader in;
    private final char delimiter;
    private final int maxRecordChars;

    // buf[pos..limit) is unread input; the current record, once parsed, is buf[recStart..recEnd).
    private char[] buf;
    private int pos;
    private int limit;
    private boolean eof;
    private boolean bomChecked;
    /** The previous record ended with CR, so an LF right after it completes a CRLF. */
    private boolean afterCr;
    /** Physical line of buf[pos]. */
    private long line = 1;

    private boolean hasRecord;
    private int recStart;
    private int recEnd;
    private long recLine;
    /*
     * Fields are slices of buf (starts/ends) until someone asks for a String: most fields are only
     * parsed (numbers, timestamps) or copied as bytes, and a String per field was a third of the
     * conversion's garbage. values[i] holds a String once made, or from the start for fields that
     * are not a plain slice (unescaped quotes, text after a closing quote).
     */
    private String[] values = new String[16];
    private int[] starts = new int[16];
    private int[] ends = new int[16];
    private boolean[] quotedFlags = new boolean[16];
    private final Slice slice = new Slice();
    private int count;
    private String raw;
    private String problem;

    // Unescaping buffer for quoted fields that contain "" pairs.
    private char[] scratch = new char[128];
    private int scratchLen;

    /**
     * @param in the text to read; closed by {@link #close()}
     * @param delimiter field separator, e.g. {@code ','}, {@code '\t'}, {@code '|'}; must not be a
     *     quote, CR or LF
     */
    public CsvReader(Reader in, char delimiter) {
        this(in, delimiter, DEFAULT_BUFFER_CHARS, DEFAULT_MAX_RECORD_CHARS);
    }

    /** The same, with another bound on a record's length ({@link #DEFAULT_MAX_RECORD_CHARS} by default). */
    public CsvReader(Reader in, char delimiter, int maxRecordChars) {
        this(in, delimiter, Math.min(DEFAULT_BUFFER_CHARS, maxRecordChars), maxRecordChars);
    }

    /** Small buffers let tests push records across buffer boundaries. */
    CsvReader(Reader in, char delimiter, int bufferChars, int maxRecordChars) {
        this.in = requireNonNull(in, "in is null");
        if (delimiter == QUOTE || delimiter == '\n' || delimiter == '\r') {
            throw new IllegalArgumentException(
                    "delimiter must not be a quote, CR or LF, got U+%04X".formatted((int) delimiter));
        }
        if (bufferChars < 1 || maxRecordChars < bufferChars) {
            throw new IllegalArgumentException(
                    "need 1 <= bufferChars <= maxRecordChars, got %d and %d".formatted(bufferChars, maxRecordChars));
        }
        this.delimiter = delimiter;
        this.buf = new char[bufferChars];
        this.maxRecordChars = maxRecordChars;
    }

    /**
     * Advances to the next record.
     *
     * @return false at end of input (and after a {@linkplain #malformed() malformed} last record)
     * @throws IOException if the underlying reader fails
     */
    public boolean next() throws IOException {
        hasRecord = false;
        count = 0;
        raw = null;
        problem = null;
        if (!skipToRecord()) {
            return false;
        }
        recStart = pos;
        recLine = line;
        // A record cut by the end of the buffer is parsed again from its start after a refill:
        // only the one record straddling each refill pays, and it keeps the parser free of state.
        while (!parseRecord()) {
            if (recStart == 0 && limit >= maxRecordChars) {
                // The record fills the largest buffer allowed and goes on: rare, so it is handled
                // here, off the parser's path.
                skipOversizedRecord();
                break;
            }
            compactAndFill(recStart);
            recStart = 0;
        }
        hasRecord = true;
        return true;
    }

    /** Number of fields in the current record: at least 1, except none for a record over the bound. */
    public int fieldCount() {
        return count;
    }

    /**
     * Field {@code i} of the current record, unquoted and unescaped; an empty field is {@code ""},
     * never null.
     */
    public String field(int i) {
        checkIndex(i);
        String value = values[i];
        if (value == null) {
            value = starts[i] == ends[i] ? "" : new String(buf, starts[i], ends[i] - starts[i]);
            values[i] = value;
        }
        return value;
    }

    /**
     * Field {@code i} as characters, without making a String: a view that stays valid until the
     * next call of this method or of {@link #next()}. For parsing a field on the spot.
     */
    public CharSequence fieldChars(int i) {
        checkIndex(i);
        String value = values[i];
        if (value != null) {
            return value;
        }
        slice.start = starts[i];
        slice.end = ends[i];
        return slice;
    }

    /**
     * {@code field(i).hashCode()} without making the String: for looking fields up in a table of
     * the values seen before.
     */
    public int fieldHashCode(int i) {
        checkIndex(i);
        if (values[i] != null) {
            return values[i].hashCode();
        }
        char[] b = buf;
        int h = 0;
        for (int p = starts[i], end = ends[i]; p < end; p++) {
            h = 31 * h + b[p];
        }
        return h;
    }

    /** {@code field(i).equals(text)} without making the String. */
    public boolean fieldEquals(int i, String text) {
        checkIndex(i);
        if (values[i] != null) {
            return values[i].equals(text);
        }
        int start = starts[i];
        if (ends[i] - start != text.length()) {
            return false;
        }
        char[] b = buf;
        for (int k = 0; k < text.length(); k++) {
            if (b[start + k] != text.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether field {@code i} was written in quotes. Callers mapping null tokens use this: a quoted
     * {@code ""} or {@code "NULL"} is the literal string, not a null.
     */
    public boolean quoted(int i) {
        checkIndex(i);
        return quotedFlags[i];
    }

    /** Physical line (1-based) on which the current record starts. */
    public long lineNumber() {
        return recLine;
    }

    /**
     * The exact source text of the current record without its terminator, embedded line breaks
     * included; only the first 64 Ki characters of a record over the bound. Built on first call only.
     */
    public String rawRecord() {
        if (!hasRecord) {
            throw new IllegalStateException("no current record: call next() first");
        }
        if (raw == null) {
            raw = new String(buf, recStart, recEnd - recStart);
        }
        return raw;
    }

    /** Whether the current record could only be read partially; see {@link #malformedReason()}. */
    public boolean malformed() {
        return problem != null;
    }

    /** Why the current record is malformed, for quarantine; empty when it is well formed. */
    public Optional<String> malformedReason() {
        return Optional.ofNullable(problem);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Moves pos past empty lines to the first character of a record; false at end of input. */
    private boolean skipToRecord() throws IOException {
        while (true) {
            if (pos >= limit) {
                if (eof) {
                    return false;
                }
                compactAndFill(pos);
                pos = 0;
                continue;
            }
            char c = buf[pos];
            if (c == '\n') {
                if (!afterCr) {
                    line++;
                }
                afterCr = false;
            } else if (c == '\r') {
                line++;
                afterCr = true;
            } else {
                afterCr = false;
                return true;
            }
            pos++;
        }
    }

    /**
     * Parses the record at recStart. Returns false, having committed nothing but scratch values,
     * when the buffer ends before the record does and more input may follow.
     */
    private boolean parseRecord() {
        final char[] b = buf;
        final int lim = limit;
        final char d = delimiter;
        final boolean atEof = eof;
        int p = recStart;
        int extraLines = 0;
        count = 0;
        problem = null;
        while (true) {
            String value;
            int valueStart = 0;
            int valueEnd = 0;
            boolean isQuoted = p < lim && b[p] == QUOTE;
            char c;
            if (!isQuoted) {
                int s = p;
                while (p < lim && (c = b[p]) != d && c != '\n' && c != '\r') {
                    p++;
                }
                if (p >= lim && !atEof) {
                    return false;
                }
                value = null;
                valueStart = s;
                valueEnd = p;
            } else {
                int openLine = extraLines;
                int s = ++p;
                int seg = s;
                boolean escaped = false;
                scratchLen = 0;
                while (true) {
                    while (p < lim && (c = b[p]) != QUOTE) {
                        if (c <= '\r') {
                            // b[p - 1] exists: at worst it is the opening quote.
                            if (c == '\r' || (c == '\n' && b[p - 1] != '\r')) {
                                extraLines++;
                            }
                        }
                        p++;
                    }
                    if (p >= lim) {
                        if (!atEof) {
                            return false;
                        }
                        if (escaped) {
                            addField(unescaped(b, seg, lim), 0, 0, true);
                        } else {
                            addField(null, s, lim, true);
                        }
                        problem = "unterminated quoted field: the quote opened on line %d (field %d) never closes"
                                .formatted(recLine + openLine, count);
                        recEnd = lim;
                        pos = lim;
                        line = recLine + extraLines;
                        return true;
                    }
                    // b[p] is a quote: a doubled one is an escaped quote, a single one closes.
                    if (p + 1 >= lim && !atEof) {
                        return false;
                    }
                    if (p + 1 < lim && b[p + 1] == QUOTE) {
                        appendScratch(b, seg, p + 1);
                        escaped = true;
                        p += 2;
                        seg = p;
                        continue;
                    }
                    break;
                }
                value = escaped ? unescaped(b, seg, p) : null;
                valueStart = s;
                valueEnd = p;
                p++;
                if (p < lim && (c = b[p]) != d && c != '\n' && c != '\r') {
                    // Lenient: text after the closing quote belongs to the field, literally.
                    int t = p;
                    while (p < lim && (c = b[p]) != d && c != '\n' && c != '\r') {
                        p++;
                    }
                    if (p >= lim && !atEof) {
                        return false;
                    }
                    String head = value != null ? value : new String(b, valueStart, valueEnd - valueStart);
                    value = head.concat(new String(b, t, p - t));
                } else if (p >= lim && !atEof) {
                    return false;
                }
            }
            addField(value, valueStart, valueEnd, isQuoted);
            if (p >= lim) {
                recEnd = p;
                pos = p;
                line = recLine + extraLines;
                return true;
            }
            c = b[p];
            if (c == d) {
                p++;
                continue;
            }
            recEnd = p;
            pos = p + 1;
            afterCr = c == '\r';
            line = recLine + extraLines + 1;
            return true;
        }
    }

    /**
     * Reads past the record at buf[0..limit), which fills the largest buffer allowed, to its end, by
     * the grammar of {@link #parseRecord()}: a field that starts with a quote runs to its closing
     * quote ({@code ""} is an escaped one), a quote elsewhere is literal, an unquoted CR, LF or CRLF
     * ends the record. Keeps the first {@link #KEPT_RAW_CHARS} characters and counts the physical
     * lines, so that the records after it start on the lines they are on; then reports it as
     * malformed, with no fields.
     */
    private void skipOversizedRecord() throws IOException {
        raw = new String(buf, 0, Math.min(KEPT_RAW_CHARS, limit));
        final char d = delimiter;
        int state = FIELD_START;
        long extraLines = 0;
        long quoteLine = 0;
        int field = 1;
        int quoteField = 0;
        // The character before buf[p], across refills: an LF right after a CR is the same line break.
        boolean previousCr = false;
        int p = 0;
        char terminator = 0;
        scan:
        while (true) {
            if (p >= limit) {
                if (eof) {
                    break;
                }
                compactAndFill(limit);
                p = 0;
                continue;
            }
            char c = buf[p];
            switch (state) {
                case QUOTED -> {
                    if (c == QUOTE) {
                        state = QUOTE_SEEN;
                    } else if (c == '\r' || (c == '\n' && !previousCr)) {
                        extraLines++;
                    }
                }
                default -> {
                    // After a closing quote, a doubled one is an escaped quote; otherwise the
                    // field goes on literally (the reader's lenient rule), as an unquoted one does.
                    if (state == QUOTE_SEEN && c == QUOTE) {
                        state = QUOTED;
                    } else if (state == FIELD_START && c == QUOTE) {
                        state = QUOTED;
                        quoteLine = extraLines;
                        quoteField = field;
                    } else if (c == d) {
                        state = FIELD_START;
                        field++;
                    } else if (c == '\n' || c == '\r') {
                        terminator = c;
                        break scan;
                    } else {
                        state = UNQUOTED;
                    }
                }
            }
            previousCr = c == '\r';
            p++;
        }
        long lines = extraLines + 1;
        String kept = "(first %d characters kept)".formatted(raw.length());
        if (terminator != 0) {
            pos = p + 1;
            afterCr = terminator == '\r';
            line = recLine + extraLines + 1;
        } else {
            pos = limit;
            line = recLine + extraLines;
        }
        if (terminator == 0 && state == QUOTED) {
            problem = ("record starting on line %d is longer than %d characters and runs to the end of the object"
                    + " (%s): the quote opened on line %d (field %d) never closes %s")
                    .formatted(recLine, maxRecordChars, lines(lines), recLine + quoteLine, quoteField, kept);
        } else {
            problem = "record starting on line %d is longer than %d characters (%s); is a quote left open? %s"
                    .formatted(recLine, maxRecordChars, lines(lines), kept);
        }
        count = 0;
    }

    private static String lines(long lines) {
        return lines == 1 ? "1 line" : lines + " lines";
    }

    /** A field: {@code value} when it is not a plain slice, else buf[start..end). */
    private void addField(String value, int start, int end, boolean isQuoted) {
        if (count == values.length) {
            values = Arrays.copyOf(values, count * 2);
            starts = Arrays.copyOf(starts, count * 2);
            ends = Arrays.copyOf(ends, count * 2);
            quotedFlags = Arrays.copyOf(quotedFlags, count * 2);
        }
        values[count] = value;
        starts[count] = start;
        ends[count] = end;
        quotedFlags[count] = isQuoted;
        count++;
    }

    /** A field of the current record, read in place in the buffer. */
    private final class Slice implements CharSequence {
        int start;
        int end;

        @Override
        public int length() {
            return end - start;
        }

        @Override
        public char charAt(int index) {
            return buf[start + index];
        }

        @Override
        public CharSequence subSequence(int from, int to) {
            return new String(buf, start + from, to - from);
        }

        @Override
        public String toString() {
            return new String(buf, start, end - start);
        }
    }

    private void appendScratch(char[] b, int from, int to) {
        int n = to - from;
        if (scratchLen + n > scratch.length) {
            scratch = Arrays.copyOf(scratch, Math.max(scratch.length * 2, scratchLen + n));
        }
        System.arraycopy(b, from, scratch, scratchLen, n);
        scratchLen += n;
    }

    private String unescaped(char[] b, int from, int to) {
        appendScratch(b, from, to);
        return new String(scratch, 0, scratchLen);
    }

    /**
     * Moves buf[keepFrom..limit) to the start of the buffer (growing it when that is all of it)
     * and reads until the buffer is full or input ends. Sets eof when nothing more was read.
     */
    private void compactAndFill(int keepFrom) throws IOException {
        int keep = limit - keepFrom;
        if (keepFrom > 0) {
            System.arraycopy(buf, keepFrom, buf, 0, keep);
        }
        limit = keep;
        if (limit == buf.length) {
            // next() skips a record before it would need more than maxRecordChars.
            buf = Arrays.copyOf(buf, (int) Math.min(2L * buf.length, maxRecordChars));
        }
        int n = 0;
        while (limit < buf.length && (n = in.read(buf, limit, buf.length - limit)) >= 0) {
            limit += n;
        }
        if (n < 0) {
            eof = true;
        }
        if (!bomChecked && limit > 0) {
            bomChecked = true;
            if (buf[0] == BOM) {
                // Only reachable on the first fill, when nothing has been consumed yet.
                System.arraycopy(buf, 1, buf, 0, limit - 1);
                limit--;
            }
        }
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException(
                    "field %d requested but the record on line %d has %d fields".formatted(i, recLine, count));
        }
    }
}
