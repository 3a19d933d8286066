package org.cam.ctl;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.cam.ctl.generated.client.ApiClient;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** -o table|json|yaml. Everything goes through Jackson trees, so one renderer serves every generated model. */
final class Output {
    enum Format { table, json, yaml }

    /** A table column: its header and the item's field (a dotted path for nested values). */
    record Column(String header, String path) {
    }

    static final ObjectMapper JSON = ApiClient.createDefaultObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .enable(SerializationFeature.INDENT_OUTPUT);

    static final ObjectMapper YAML = new YAMLMapper()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .findAndRegisterModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private Output() {
    }

    static JsonNode tree(Object value) {
        return JSON.valueToTree(value);
    }

    /** A list: a table with the kind's columns, or the items as a JSON/YAML array. */
    static String list(List<JsonNode> items, List<Column> columns, Format format) {
        if (format == Format.table) {
            return table(items, columns);
        }
        ArrayNode array = JSON.createArrayNode().addAll(items);
        return document(array, format);
    }

    /** One object: JSON, or YAML (also for "table", which has no sense for one object with nested parts). */
    static String document(JsonNode value, Format format) {
        try {
            return format == Format.json ? JSON.writeValueAsString(value) + "\n" : YAML.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String table(List<JsonNode> items, List<Column> columns) {
        List<String[]> rows = new ArrayList<>();
        rows.add(columns.stream().map(Column::header).toArray(String[]::new));
        for (JsonNode item : items) {
            rows.add(columns.stream().map(c -> cell(item, c.path())).toArray(String[]::new));
        }
        int[] width = new int[columns.size()];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder s = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(row[i]);
                if (i < row.length - 1) {
                    line.append(" ".repeat(width[i] - row[i].length() + 3));
                }
            }
            s.append(line.toString().stripTrailing()).append('\n');
        }
        return s.toString();
    }

    /** A field for a table cell: blank when absent, lists comma-joined, nested objects as key=value. */
    static String cell(JsonNode item, String path) {
        JsonNode node = item;
        for (String part : path.split("\\.")) {
            node = node == null ? null : node.get(part);
        }
        return text(node);
    }

    private static String text(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return "";
        }
        if (node.isArray()) {
            List<String> parts = new ArrayList<>();
            node.forEach(n -> parts.add(text(n)));
            return String.join(",", parts);
        }
        if (node.isObject()) {
            List<String> parts = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                parts.add(e.getKey() + "=" + text(e.getValue()));
            }
            return String.join(",", parts);
        }
        // Control characters would break the columns (and could move a terminal's cursor): shown escaped.
        return node.asText().replaceAll("\\p{Cntrl}", "?");
    }
}
