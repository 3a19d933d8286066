package org.cam.management.common;

import java.util.List;
import java.util.function.Function;

/** One page of a list answer. */
public record Page<T>(List<T> items, int page, int size, long total) {
    public static final int MAX_SIZE = 500;

    public <R> Page<R> map(Function<T, R> f) {
        return new Page<>(items.stream().map(f).toList(), page, size, total);
    }
}
