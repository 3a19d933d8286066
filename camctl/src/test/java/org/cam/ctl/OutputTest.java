package org.cam.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import org.cam.ctl.generated.model.AccessLevel;
import org.cam.ctl.generated.model.GrantView;
import org.cam.ctl.generated.model.TargetView;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OutputTest {

    private static JsonNode target(long id, String name, String host, List<String> tags) {
        java.util.Set<String> tagSet = new java.util.LinkedHashSet<>(tags);
        return Output.tree(new TargetView().id(id).name(name).host(host).port(5900).locationTags(tagSet));
    }

    @Test
    void aTableAlignsItsColumnsAndLeavesAbsentFieldsBlank() {
        String table = Output.list(List.of(target(1, "web-01", "10.0.0.1", List.of("dc1", "rack4")),
                        target(12, "db", null, List.of())),
                List.of(new Output.Column("ID", "id"), new Output.Column("NAME", "name"),
                        new Output.Column("HOST", "host"), new Output.Column("TAGS", "locationTags")),
                Output.Format.table);
        assertThat(table).isEqualTo("""
                ID   NAME     HOST       TAGS
                1    web-01   10.0.0.1   dc1,rack4
                12   db
                """);
    }

    @Test
    void anEmptyListIsItsHeaderOrAnEmptyArray() {
        List<Output.Column> cols = Kind.grants.columns;
        assertThat(Output.list(List.of(), cols, Output.Format.table))
                .isEqualTo("ID   GROUP   TARGET-SET   ACCESS   CLIPBOARD\n");
        assertThat(Output.list(List.of(), cols, Output.Format.json).strip()).isEqualTo("[ ]");
    }

    @Test
    void controlCharactersInAValueCannotMoveTheTerminal() {
        JsonNode t = target(3, "evil\u001b[2Jname\nsecond", "h", List.of());
        assertThat(Output.cell(t, "name")).isEqualTo("evil?[2Jname?second");
    }

    @Test
    void nestedValuesAreReachedByADottedPathAndObjectsPrintAsKeyValues() {
        JsonNode node = Output.tree(java.util.Map.of("outer", java.util.Map.of("inner", 7)));
        assertThat(Output.cell(node, "outer.inner")).isEqualTo("7");
        assertThat(Output.cell(node, "outer")).isEqualTo("inner=7");
        assertThat(Output.cell(node, "missing.path")).isEmpty();
    }

    @Test
    void jsonAndYamlCarryEveryFieldWithEnumsAsTheApiSpellsThem() {
        JsonNode grant = Output.tree(new GrantView().id(5L).groupId(2L).groupName("ops").targetSetId(3L)
                .targetSetName("lab").accessLevel(AccessLevel.VIEW_ONLY).version(0L));
        assertThat(Output.document(grant, Output.Format.json)).contains("\"accessLevel\" : \"VIEW_ONLY\"")
                .contains("\"groupName\" : \"ops\"").doesNotContain("clipboard");
        assertThat(Output.document(grant, Output.Format.yaml)).contains("accessLevel: VIEW_ONLY\n")
                .contains("targetSetName: lab\n").doesNotStartWith("---");
        assertThat(Output.list(List.of(grant), Kind.grants.columns, Output.Format.yaml)).startsWith("- id: 5\n");
    }
}
