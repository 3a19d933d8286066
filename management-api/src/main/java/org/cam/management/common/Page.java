package org.cam.management.common;

import jakarta.persistence.TypedQuery;

import java.util.List;
import java.util.function.Function;

/** One page of a list answer. */
public record Page<T>(List<T> items, int page, int size, long total) {
    public static final int MAX_SIZE = 500;

    /**
     * One page of a JPQL query and its count query (both with their parameters set). A page past the end, a page
     * number beyond int offsets included, is empty, not an error.
     */
    public static <T> Page<T> of(TypedQuery<T> items, TypedQuery<Long> total, int page, int size) {
        long count = total.getSingleResult();
        long first = (long) page * size;
        if (first >= count) {
            return new Page<>(List.of(), page, size, count);
        }
        return new Page<>(items.setFirstResult((int) first).setMaxResults(size).getResultList(), page, size, count);
    }

    public <R> Page<R> map(Function<T, R> f) {
        return new Page<>(items.stream().map(f).toList(), page, size, total);
    }
}
