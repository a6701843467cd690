package io.tarn.csv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CsvReaderTest {

    /** One record as the reader reported it. */
    record Row(long line, List<String> fields, List<Boolean> quoted, String raw, boolean malformed) {}

    private static List<Row> readAll(String csv) throws IOException {
        return readAll(new CsvReader(new StringReader(csv), ','));
    }

    private static List<Row> readAll(CsvReader reader) throws IOException {
        List<Row> rows = new ArrayList<>();
        try (reader) {
            while (reader.next()) {
                List<String> fields = new ArrayList<>();
                List<Boolean> quoted = new ArrayList<>();
                for (int i = 0; i < reader.fieldCount(); i++) {
                    fields.add(reader.field(i));
                    quoted.add(reader.quoted(i));
                }
                rows.add(new Row(reader.lineNumber(), fields, quoted, reader.rawRecord(), reader.malformed()));
            }
        }
        return rows;
    }

    private static List<List<String>> fieldsOf(List<Row> rows) {
        return rows.stream().map(Row::fields).toList();
    }

    @Test
    void readsRecordsSeparatedByLf() throws IOException {
        assertThat(fieldsOf(readAll("id,name\n1,ann\n2,bob\n")))
                .containsExactly(List.of("id", "name"), List.of("1", "ann"), List.of("2", "bob"));
    }

    @Test
    void readsLastRecordWithoutTerminator() throws IOException {
        assertThat(fieldsOf(readAll("a,b\n1,2"))).containsExactly(List.of("a", "b"), List.of("1", "2"));
    }

    @Test
    void acceptsCrlfAndLoneCrAndLfMixed() throws IOException {
        List<Row> rows = readAll("a\r\nb\rc\nd");

        assertThat(fieldsOf(rows)).containsExactly(List.of("a"), List.of("b"), List.of("c"), List.of("d"));
        assertThat(rows).extracting(Row::line).containsExactly(1L, 2L, 3L, 4L);
        assertThat(rows).extracting(Row::raw).containsExactly("a", "b", "c", "d");
    }

    @Test
    void keepsEmptyFieldsIncludingATrailingOne() throws IOException {
        assertThat(fieldsOf(readAll(",a,,\n,"))).containsExactly(List.of("", "a", "", ""), List.of("", ""));
    }

    @Test
    void keepsWhitespaceAsData() throws IOException {
        assertThat(fieldsOf(readAll(" a , b\t\n"))).containsExactly(List.of(" a ", " b\t"));
    }

    @Test
    void unquotesFieldsWithDelimitersAndDoubledQuotes() throws IOException {
        List<Row> rows = readAll("\"a,b\",\"say \"\"hi\"\"\",\"\"\"\",\"x\"\"\"\"y\"\n");

        assertThat(fieldsOf(rows)).containsExactly(List.of("a,b", "say \"hi\"", "\"", "x\"\"y"));
    }

    @Test
    void reportsWhichFieldsWereQuotedSoEmptyAndNullTokensStayLiteral() throws IOException {
        List<Row> rows = readAll("\"\",,\"NULL\",NULL\n");

        assertThat(rows.get(0).fields()).containsExactly("", "", "NULL", "NULL");
        assertThat(rows.get(0).quoted()).containsExactly(true, false, true, false);
    }

    @Test
    void keepsLineBreaksInsideQuotesAndCountsThemAsPhysicalLines() throws IOException {
        List<Row> rows = readAll("h\n\"one\ntwo\",x\n\"three\r\nfour\rfive\"\nlast\n");

        assertThat(fieldsOf(rows))
                .containsExactly(
                        List.of("h"), List.of("one\ntwo", "x"), List.of("three\r\nfour\rfive"), List.of("last"));
        assertThat(rows).extracting(Row::line).containsExactly(1L, 2L, 4L, 7L);
    }

    @Test
    void rawRecordIsTheExactSourceTextWithoutTerminator() throws IOException {
        String second = "\"q,\"\"x\"\"\",\"multi\r\nline\", plain \"ab\"cd";
        List<Row> rows = readAll("first\r\n" + second + "\r\nthird");

        assertThat(rows).extracting(Row::raw).containsExactly("first", second, "third");
    }

    @Test
    void skipsEmptyLinesButCountsThem() throws IOException {
        List<Row> rows = readAll("\n\r\n\ra\n\n\r\nb\n\n");

        assertThat(fieldsOf(rows)).containsExactly(List.of("a"), List.of("b"));
        assertThat(rows).extracting(Row::line).containsExactly(4L, 7L);
    }

    @Test
    void treatsAQuotedEmptyLineAsARecord() throws IOException {
        List<Row> rows = readAll("a\n\"\"\nb");

        assertThat(fieldsOf(rows)).containsExactly(List.of("a"), List.of(""), List.of("b"));
        assertThat(rows.get(1).quoted()).containsExactly(true);
    }

    @Test
    void returnsNoRecordsForEmptyOrBlankLineInput() throws IOException {
        assertThat(readAll("")).isEmpty();
        assertThat(readAll("\n\r\n\r")).isEmpty();
        assertThat(readAll("\uFEFF")).isEmpty();
    }

    @Test
    void dropsByteOrderMarkOnlyAtTheVeryStart() throws IOException {
        List<Row> rows = readAll("\uFEFFid,name\n\uFEFFx,y\n");

        assertThat(fieldsOf(rows)).containsExactly(List.of("id", "name"), List.of("\uFEFFx", "y"));
        assertThat(rows.get(0).raw()).isEqualTo("id,name");
        assertThat(rows.get(0).line()).isEqualTo(1);
    }

    @Test
    void dropsByteOrderMarkBeforeAQuotedField() throws IOException {
        List<Row> rows = readAll("\uFEFF\"a\",b");

        assertThat(fieldsOf(rows)).containsExactly(List.of("a", "b"));
        assertThat(rows.get(0).quoted()).containsExactly(true, false);
    }

    @Test
    void usesTheGivenDelimiter() throws IOException {
        List<Row> rows = readAll(new CsvReader(new StringReader("a\tb,c\t\"d\te\"\n"), '\t'));

        assertThat(fieldsOf(rows)).containsExactly(List.of("a", "b,c", "d\te"));
    }

    @Test
    void keepsAQuoteInsideAnUnquotedFieldLiterally() throws IOException {
        List<Row> rows = readAll("ab\"c,5\" screen, \"x\"\n");

        assertThat(fieldsOf(rows)).containsExactly(List.of("ab\"c", "5\" screen", " \"x\""));
        assertThat(rows.get(0).quoted()).containsExactly(false, false, false);
        assertThat(rows.get(0).malformed()).isFalse();
    }

    @Test
    void appendsTextAfterAClosingQuoteLiterally() throws IOException {
        List<Row> rows = readAll("\"ab\"cd,\"x\" ,\"p\"\"q\"r\"s\n");

        assertThat(fieldsOf(rows)).containsExactly(List.of("abcd", "x ", "p\"qr\"s"));
        assertThat(rows.get(0).quoted()).containsExactly(true, true, true);
    }

    @Test
    void flagsAQuoteLeftOpenAtEndOfInputAndThenStops() throws IOException {
        CsvReader reader = new CsvReader(new StringReader("a,b\n1,\"open\nmore,\"\"stuff\n"), ',');

        assertThat(reader.next()).isTrue();
        assertThat(reader.malformed()).isFalse();
        assertThat(reader.malformedReason()).isEmpty();
        assertThat(reader.next()).isTrue();
        assertThat(reader.malformed()).isTrue();
        assertThat(reader.malformedReason())
                .hasValue("unterminated quoted field: the quote opened on line 2 (field 2) never closes");
        assertThat(reader.lineNumber()).isEqualTo(2);
        assertThat(reader.fieldCount()).isEqualTo(2);
        assertThat(reader.field(1)).isEqualTo("open\nmore,\"stuff\n");
        assertThat(reader.rawRecord()).isEqualTo("1,\"open\nmore,\"\"stuff\n");
        assertThat(reader.next()).isFalse();
        assertThat(reader.next()).isFalse();
    }

    @Test
    void readsAQuoteClosedAsTheLastCharacterOfInput() throws IOException {
        List<Row> rows = readAll("a,\"b\"");

        assertThat(fieldsOf(rows)).containsExactly(List.of("a", "b"));
        assertThat(rows.get(0).malformed()).isFalse();
    }

    @Test
    void readsRecordsThatStraddleAndOutgrowATinyBuffer() throws IOException {
        String longField = "x".repeat(100);
        String quoted = "\"" + "q\"\"".repeat(20) + "\r\nz\"";
        String csv = "ab,cd\r\n" + longField + "," + quoted + "\r\n1234567\r\n8";
        CsvReader reader = new CsvReader(new StringReader(csv), ',', 8, 1024);

        List<Row> rows = readAll(reader);

        assertThat(fieldsOf(rows))
                .containsExactly(
                        List.of("ab", "cd"),
                        List.of(longField, "q\"".repeat(20) + "\r\nz"),
                        List.of("1234567"),
                        List.of("8"));
        assertThat(rows).extracting(Row::raw)
                .containsExactly("ab,cd", longField + "," + quoted, "1234567", "8");
        assertThat(rows).extracting(Row::line).containsExactly(1L, 2L, 4L, 5L);
    }

    @Test
    void treatsCrlfSplitAcrossBuffersAsOneLineBreak() throws IOException {
        // With 4 chars, "abc\r" fills the buffer and the LF arrives with the next read.
        List<Row> rows = readAll(new CsvReader(new StringReader("abc\r\ndef\r\n\r\ng"), ',', 4, 64));

        assertThat(fieldsOf(rows)).containsExactly(List.of("abc"), List.of("def"), List.of("g"));
        assertThat(rows).extracting(Row::line).containsExactly(1L, 2L, 4L);
    }

    @Test
    void recordLongerThanTheBoundIsFlaggedAndReadingGoesOnWithTheNextRecord() throws IOException {
        // The quote inside the unquoted field is literal: it opens nothing, the record ends at its LF.
        String oversized = "2,x\"" + "y".repeat(100);
        String csv = "id,name\n1,ann\n" + oversized + "\n3,bob\n4,\"c\nd\"\n\n5,eve";

        List<Row> rows = readAll(new CsvReader(new StringReader(csv), ',', 8, 32));

        assertThat(rows).containsExactly(
                new Row(1, List.of("id", "name"), List.of(false, false), "id,name", false),
                new Row(2, List.of("1", "ann"), List.of(false, false), "1,ann", false),
                new Row(3, List.of(), List.of(), oversized.substring(0, 32), true),
                new Row(4, List.of("3", "bob"), List.of(false, false), "3,bob", false),
                new Row(5, List.of("4", "c\nd"), List.of(false, true), "4,\"c\nd\"", false),
                new Row(8, List.of("5", "eve"), List.of(false, false), "5,eve", false));
    }

    @Test
    void recordLongerThanTheBoundNamesItsLineAndLengthAndKeepsAPrefix() throws IOException {
        CsvReader reader = new CsvReader(new StringReader("ok\n" + "z".repeat(40) + "\nnext"), ',', 8, 32);

        assertThat(reader.next()).isTrue();
        assertThat(reader.next()).isTrue();

        assertThat(reader.malformed()).isTrue();
        assertThat(reader.malformedReason()).hasValue("record starting on line 2 is longer than 32 characters (1 line);"
                + " is a quote left open? (first 32 characters kept)");
        assertThat(reader.lineNumber()).isEqualTo(2);
        assertThat(reader.fieldCount()).isZero();
        assertThat(reader.rawRecord()).isEqualTo("z".repeat(32));
        assertThat(reader.next()).isTrue();
        assertThat(reader.malformed()).isFalse();
        assertThat(reader.field(0)).isEqualTo("next");
        assertThat(reader.lineNumber()).isEqualTo(3);
        assertThat(reader.next()).isFalse();
    }

    @Test
    void oversizedQuotedFieldIsSkippedToItsClosingQuoteAcrossEmbeddedLineBreaks() throws IOException {
        // Inside the quotes: CRLF, LF and CR (three line breaks), an escaped quote, a delimiter and
        // what would be a record's end outside them; after the closing quote, text and one more field.
        String oversized = "1,\"" + "y".repeat(40) + "\r\n,\"\"\n" + "z".repeat(40) + "\rend\"tail,x";
        String csv = "a,b\r\n" + oversized + "\r\n2,after\r\n\r\n3,\"last\"";
        CsvReader reader = new CsvReader(new StringReader(csv), ',', 8, 32);

        List<Row> rows = readAll(reader);

        assertThat(rows).containsExactly(
                new Row(1, List.of("a", "b"), List.of(false, false), "a,b", false),
                new Row(2, List.of(), List.of(), oversized.substring(0, 32), true),
                new Row(6, List.of("2", "after"), List.of(false, false), "2,after", false),
                new Row(8, List.of("3", "last"), List.of(false, true), "3,\"last\"", false));
        CsvReader again = new CsvReader(new StringReader(csv), ',', 8, 32);
        again.next();
        again.next();
        assertThat(again.malformedReason()).hasValue("record starting on line 2 is longer than 32 characters (4 lines);"
                + " is a quote left open? (first 32 characters kept)");
    }

    @Test
    void quoteNeverClosedInAnOversizedRecordRunsToTheEndOfTheObject() throws IOException {
        String open = "1,\"never closed " + "y".repeat(100) + "\nmore\r\nrows,2\n";
        CsvReader reader = new CsvReader(new StringReader("ok\n" + open), ',', 8, 32);

        assertThat(reader.next()).isTrue();
        assertThat(reader.next()).isTrue();

        assertThat(reader.malformed()).isTrue();
        assertThat(reader.malformedReason()).hasValue("record starting on line 2 is longer than 32 characters and runs"
                + " to the end of the object (4 lines): the quote opened on line 2 (field 2) never closes"
                + " (first 32 characters kept)");
        assertThat(reader.lineNumber()).isEqualTo(2);
        assertThat(reader.rawRecord()).isEqualTo(open.substring(0, 32));
        assertThat(reader.next()).isFalse();
        assertThat(reader.next()).isFalse();
    }

    @Test
    void crlfEndingAnOversizedRecordIsOneLineBreakEvenWhenSplitAcrossReads() throws IOException {
        // With a 32-char buffer the CR is the last character of the second read, the LF the first of the third.
        String unquoted = "x".repeat(63) + "\r\n" + "next\r" + "x".repeat(40) + "\rlast\n";
        String quoted = "\"" + "y".repeat(62) + "\r\nz\"\r\nafter";

        assertThat(readAll(new CsvReader(new StringReader(unquoted), ',', 8, 32)))
                .extracting(Row::line, Row::raw, Row::malformed)
                .containsExactly(tuple(1L, "x".repeat(32), true), tuple(2L, "next", false),
                        tuple(3L, "x".repeat(32), true), tuple(4L, "last", false));
        assertThat(readAll(new CsvReader(new StringReader(quoted), ',', 8, 32)))
                .extracting(Row::line, Row::raw, Row::malformed)
                .containsExactly(tuple(1L, quoted.substring(0, 32), true), tuple(3L, "after", false));
    }

    /**
     * Random CSV read once with room for every record and once with a small bound: records that fit
     * read the same, longer ones are flagged with a prefix of their text, and each reads from the
     * same line, so the skip follows the very grammar the parser reads by.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 8})
    void skipsOversizedRecordsByTheGrammarItReadsRecordsBy(int bufferChars) throws IOException {
        Random random = new Random(7 + bufferChars);
        int bound = 12;
        for (int round = 0; round < 300; round++) {
            StringBuilder csv = new StringBuilder();
            int records = 1 + random.nextInt(8);
            for (int r = 0; r < records; r++) {
                while (random.nextInt(4) == 0) {
                    csv.append(random.nextBoolean() ? "\n" : "\r\n");
                }
                int fieldCount = 1 + random.nextInt(4);
                for (int f = 0; f < fieldCount; f++) {
                    String value = randomValue(random).repeat(1 + random.nextInt(4));
                    if (f > 0) {
                        csv.append(',');
                    }
                    boolean quote = value.matches("(?s).*[,\r\n\"].*") || value.isEmpty() || random.nextInt(3) == 0;
                    csv.append(quote ? "\"" + value.replace("\"", "\"\"") + "\"" : value);
                }
                if (r < records - 1 || random.nextBoolean()) {
                    csv.append(switch (random.nextInt(3)) {
                        case 0 -> "\n";
                        case 1 -> "\r\n";
                        default -> "\r";
                    });
                }
            }
            if (random.nextInt(5) == 0) {
                csv.append("\"open ").append(randomValue(random).repeat(5)); // a quote that never closes
            }

            List<Row> roomy = readAll(new CsvReader(new TrickleReader(csv.toString(), random), ',', bufferChars, 1 << 20));
            List<Row> bounded = readAll(new CsvReader(new TrickleReader(csv.toString(), random), ',', bufferChars, bound));

            assertThat(bounded).as("reading %s", csv).hasSameSizeAs(roomy);
            for (int i = 0; i < roomy.size(); i++) {
                Row full = roomy.get(i);
                Row read = bounded.get(i);
                if (full.raw().length() < bound) {
                    assertThat(read).as("record %d of %s", i, csv).isEqualTo(full);
                } else {
                    assertThat(read).as("record %d of %s", i, csv)
                            .isEqualTo(new Row(full.line(), List.of(), List.of(), full.raw().substring(0, bound), true));
                }
            }
        }
    }

    @Test
    void rejectsAQuoteAsDelimiter() {
        assertThatThrownBy(() -> new CsvReader(new StringReader(""), '"'))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("delimiter must not be a quote, CR or LF, got U+0022");
    }

    @Test
    void rejectsANullReader() {
        assertThatThrownBy(() -> new CsvReader(null, ','))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("in is null");
    }

    @Test
    void namesTheRecordWhenAFieldIndexIsOutOfRange() throws IOException {
        CsvReader reader = new CsvReader(new StringReader("\na,b\n"), ',');
        reader.next();

        assertThatThrownBy(() -> reader.field(2))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessage("field 2 requested but the record on line 2 has 2 fields");
    }

    @Test
    void refusesRawRecordBeforeTheFirstRecord() {
        CsvReader reader = new CsvReader(new StringReader("a"), ',');

        assertThatThrownBy(reader::rawRecord)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("no current record: call next() first");
    }

    @Test
    void closesTheUnderlyingReader() throws IOException {
        boolean[] closed = {false};
        Reader in = new StringReader("a") {
            @Override
            public void close() {
                closed[0] = true;
            }
        };

        new CsvReader(in, ',').close();

        assertThat(closed[0]).isTrue();
    }

    @Test
    void readsManyFieldsPerRecord() throws IOException {
        String line = String.join(",", java.util.Collections.nCopies(1000, "v"));

        assertThat(readAll(line).get(0).fields()).hasSize(1000).containsOnly("v");
    }

    /**
     * Writes random records (random quoting, terminators, empty lines, awkward characters) and
     * reads them back through small buffers and a reader that returns few characters per call.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 8, 64, CsvReader.DEFAULT_BUFFER_CHARS})
    void readsBackRandomlyWrittenCsvWithAnyBufferSize(int bufferChars) throws IOException {
        Random random = new Random(42 + bufferChars);
        for (int round = 0; round < 200; round++) {
            StringBuilder csv = new StringBuilder();
            List<Row> expected = new ArrayList<>();
            int records = 1 + random.nextInt(8);
            for (int r = 0; r < records; r++) {
                while (random.nextInt(4) == 0) {
                    csv.append(random.nextBoolean() ? "\n" : "\r\n");
                }
                int start = csv.length();
                long line = physicalLine(csv, start);
                int fieldCount = 1 + random.nextInt(4);
                List<String> fields = new ArrayList<>();
                List<Boolean> quoted = new ArrayList<>();
                for (int f = 0; f < fieldCount; f++) {
                    String value = randomValue(random);
                    boolean mustQuote = value.startsWith("\"") || value.matches("(?s).*[,\r\n].*")
                            || (fieldCount == 1 && value.isEmpty());
                    boolean quote = mustQuote || random.nextInt(3) == 0;
                    if (f > 0) {
                        csv.append(',');
                    }
                    csv.append(quote ? "\"" + value.replace("\"", "\"\"") + "\"" : value);
                    fields.add(value);
                    quoted.add(quote);
                }
                String raw = csv.substring(start);
                expected.add(new Row(line, fields, quoted, raw, false));
                boolean last = r == records - 1;
                if (!last || random.nextBoolean()) {
                    csv.append(switch (random.nextInt(3)) {
                        case 0 -> "\n";
                        case 1 -> "\r\n";
                        default -> "\r";
                    });
                }
            }
            Reader trickle = new TrickleReader(csv.toString(), random);

            List<Row> actual = readAll(new CsvReader(trickle, ',', bufferChars, 1 << 20));

            assertThat(actual).as("reading %s", csv).isEqualTo(expected);
        }
    }

    @Test
    void fieldHashCodeAndFieldEqualsAgreeWithTheFieldsStringForPlainQuotedAndEscapedFields() throws IOException {
        CsvReader reader = new CsvReader(new StringReader("acme,\"acme\",\"ac\"\"me\",\"ac\"me,,é-acme\n"), ',');
        assertThat(reader.next()).isTrue();
        for (int i = 0; i < reader.fieldCount(); i++) {
            String field = reader.field(i);
            CsvReader fresh = new CsvReader(new StringReader("acme,\"acme\",\"ac\"\"me\",\"ac\"me,,é-acme\n"), ',');
            fresh.next();
            assertThat(fresh.fieldHashCode(i)).as("field %d", i).isEqualTo(field.hashCode());
            assertThat(fresh.fieldEquals(i, field)).as("field %d", i).isTrue();
            assertThat(fresh.fieldEquals(i, field + "x")).as("field %d", i).isFalse();
            assertThat(fresh.fieldEquals(i, "acmf")).as("field %d", i).isFalse();
        }
        assertThat(reader.field(0)).isEqualTo("acme");
        assertThat(reader.field(2)).isEqualTo("ac\"me");
    }

    private static String randomValue(Random random) {
        String alphabet = "ab,\"\r\n é";
        StringBuilder value = new StringBuilder();
        int length = random.nextInt(6);
        for (int i = 0; i < length; i++) {
            value.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return value.toString();
    }

    /** 1 + the line breaks (CRLF, CR or LF) before offset. */
    private static long physicalLine(CharSequence text, int offset) {
        long line = 1;
        for (int i = 0; i < offset; i++) {
            char c = text.charAt(i);
            if (c == '\r' || (c == '\n' && (i == 0 || text.charAt(i - 1) != '\r'))) {
                line++;
            }
        }
        return line;
    }

    @Test
    void fieldCharsReadTheSameTextAsFieldWithoutMakingStrings() throws IOException {
        String csv = "plain,\"quoted, with comma\",\"esc \"\"q\"\"\",\"tail\"x,,\"\"\r\n"
                + "next,row\n";
        CsvReader reader = new CsvReader(new StringReader(csv), ',', 8, 1024);

        assertThat(reader.next()).isTrue();
        List<String> viaChars = new ArrayList<>();
        for (int i = 0; i < reader.fieldCount(); i++) {
            viaChars.add(reader.fieldChars(i).toString());
        }
        List<String> viaField = new ArrayList<>();
        for (int i = 0; i < reader.fieldCount(); i++) {
            viaField.add(reader.field(i));
        }
        assertThat(viaChars).isEqualTo(viaField)
                .containsExactly("plain", "quoted, with comma", "esc \"q\"", "tailx", "", "");
        CharSequence first = reader.fieldChars(0);
        assertThat(first.length()).isEqualTo(5);
        assertThat(first.charAt(4)).isEqualTo('n');
        assertThat(first.subSequence(1, 3).toString()).isEqualTo("la");
        assertThat(reader.next()).isTrue();
        assertThat(reader.fieldChars(1).toString()).isEqualTo("row");
    }

    /** Hands out 1 to 7 characters per read, like a slow network stream. */
    private static final class TrickleReader extends Reader {
        private final String text;
        private final Random random;
        private int pos;

        TrickleReader(String text, Random random) {
            this.text = text;
            this.random = random;
        }

        @Override
        public int read(char[] cbuf, int off, int len) {
            if (pos >= text.length()) {
                return -1;
            }
            int n = Math.min(Math.min(len, 1 + random.nextInt(7)), text.length() - pos);
            text.getChars(pos, pos + n, cbuf, off);
            pos += n;
            return n;
        }

        @Override
        public void close() {}
    }
}
