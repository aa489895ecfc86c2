package org.interlude.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The migration index that readiness counts against lists exactly the bundled migrations: a
 * migration missing from it lets a node report ready on a schema without that migration (V7 was
 * missing until this test existed).
 */
class MigrationsTest {

  @Test
  void indexListsEveryBundledMigrationInOrder() throws IOException, URISyntaxException {
    Path dir = Path.of(Migrations.class.getResource("/db/migration").toURI());
    List<String> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.map(p -> p.getFileName().toString()).filter(n -> n.matches("V\\d+__.*\\.sql"))
          .sorted((a, b) -> Integer.compare(version(a), version(b))).toList();
    }
    List<String> index = Files.readAllLines(dir.resolve("INDEX")).stream().filter(l -> !l.isBlank()).toList();
    assertEquals(files, index);
    assertEquals(files.size(), Migrations.bundledCount());
  }

  private static int version(String file) {
    return Integer.parseInt(file.substring(1, file.indexOf("__")));
  }
}
