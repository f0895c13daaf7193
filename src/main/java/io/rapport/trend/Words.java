package io.rapport.trend;

import java.util.Arrays;

/**
 * {@code n} words separated by single NUL bytes, as {@code string_agg(textsend(column),
 * '\x00'::bytea)} sends a window's ids: word i is row i's, as raw bytes. PostgreSQL's text never
 * holds a NUL, so no id can be cut in two. Kept as bytes: a year of a busy
 * clinic's pseudonyms is 7 MB, which decoded into strings and cut into 100,000 of them cost more
 * than the walk they feed.
 */
final class Words {

    private static final byte SEPARATOR = 0;

    private final byte[] bytes;

    /** Where word i starts; word i ends one byte before {@code starts[i + 1]}. */
    private final int[] starts;

    private Words(byte[] bytes, int[] starts) {
        this.bytes = bytes;
        this.starts = starts;
    }

    /** The words of {@code bytes}, which must be {@code n} of them; SQL NULL is none. */
    static Words of(byte[] bytes, int n) {
        int[] starts = new int[n + 1];
        if (bytes == null) {
            if (n != 0) {
                throw new IllegalStateException("expected " + n + " words, got none");
            }
            return new Words(new byte[0], starts);
        }
        int word = 0;
        for (int at = 0; at < bytes.length; at++) {
            if (bytes[at] == SEPARATOR) {
                if (++word >= n) {
                    break;
                }
                starts[word] = at + 1;
            }
        }
        if (word != n - 1) {
            throw new IllegalStateException("expected " + n + " words, got another count");
        }
        starts[n] = bytes.length + 1;
        return new Words(bytes, starts);
    }

    int size() {
        return starts.length - 1;
    }

    /** Words i and j compared as PostgreSQL's "C" collation compares them: byte by byte, unsigned, a prefix first. */
    int compare(int i, int j) {
        return Arrays.compareUnsigned(bytes, starts[i], end(i), bytes, starts[j], end(j));
    }

    private int end(int i) {
        return starts[i + 1] - 1;
    }

    /**
     * Each word's number: equal words get the same one, numbered in order of first appearance
     * from 0. An open-addressing table over the bytes themselves, so no word becomes an object.
     */
    int[] numbers() {
        int n = size();
        int capacity = Integer.highestOneBit(Math.max(2, 2 * n) - 1) << 1;
        int mask = capacity - 1;
        int[] firstWord = new int[capacity];
        Arrays.fill(firstWord, -1);
        int[] numberAt = new int[capacity];
        int[] out = new int[n];
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            int slot = hash(i) & mask;
            while (true) {
                int seen = firstWord[slot];
                if (seen < 0) {
                    firstWord[slot] = i;
                    numberAt[slot] = distinct;
                    out[i] = distinct++;
                    break;
                }
                if (Arrays.equals(bytes, starts[seen], end(seen), bytes, starts[i], end(i))) {
                    out[i] = numberAt[slot];
                    break;
                }
                slot = (slot + 1) & mask;
            }
        }
        return out;
    }

    private int hash(int i) {
        int h = 1;
        for (int at = starts[i], end = end(i); at < end; at++) {
            h = 31 * h + bytes[at];
        }
        // Spread the low bits the table indexes by.
        return (h ^ (h >>> 16)) * 0x9E3779B9;
    }
}
