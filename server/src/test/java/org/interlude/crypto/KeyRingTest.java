package org.interlude.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyRingTest {

    @TempDir
    Path dir;

    @Test
    void createsDevelopmentKeyWithOwnerOnlyPermissions() throws IOException {
        Path file = dir.resolve("keys").resolve("master.keys");
        KeyRing.Loaded created = KeyRing.loadOrCreate(file, true);
        assertTrue(created.createdDevelopmentKey());
        assertFalse(created.permissionsTooOpen());
        assertEquals(1, created.ring().currentVersion());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "no temporary files left behind");
        }

        KeyRing.Loaded reloaded = KeyRing.loadOrCreate(file, true);
        assertFalse(reloaded.createdDevelopmentKey());
        assertSameKey(created.ring(), reloaded.ring(), 1);
    }

    @Test
    void concurrentFirstStartsAgreeOnOneKey() throws Exception {
        Path file = dir.resolve("race.keys");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<KeyRing.Loaded>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return KeyRing.loadOrCreate(file, true);
                }));
            }
            start.countDown();
            List<KeyRing.Loaded> loaded = new ArrayList<>();
            for (Future<KeyRing.Loaded> result : results) {
                loaded.add(result.get(30, TimeUnit.SECONDS));
            }
            KeyRing onDisk = KeyRing.load(file);
            int created = 0;
            for (KeyRing.Loaded each : loaded) {
                created += each.createdDevelopmentKey() ? 1 : 0;
                assertSameKey(onDisk, each.ring(), 1);
            }
            assertEquals(1, created, "exactly one caller created the key");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void missingFileWithoutPermissionToCreateFails() {
        assertThrows(NoSuchFileException.class, () -> KeyRing.loadOrCreate(dir.resolve("absent.keys"), false));
        assertFalse(Files.exists(dir.resolve("absent.keys")));
    }

    @Test
    void readsDocumentedFormatWithCommentsAndGaps() throws IOException {
        byte[] one = RandomTokens.randomBytes(32);
        byte[] five = RandomTokens.randomBytes(32);
        Path file = dir.resolve("ring.keys");
        Files.writeString(file, "# comment\n\n  v5:" + b64(five) + "  \n# another\nv1:" + b64(one) + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        KeyRing ring = KeyRing.load(file);
        assertEquals(Set.of(1, 5), ring.versions());
        assertEquals(5, ring.currentVersion());
        assertEquals(b64(one), b64(ring.key(1)));
        assertEquals(b64(five), b64(ring.key(5)));
        assertThrows(IllegalStateException.class, () -> ring.key(2));
    }

    @Test
    void malformedFilesFailWithLineNumberButWithoutKeyMaterial() throws IOException {
        String secret = b64(RandomTokens.randomBytes(32));
        String[] bad = {
            "v1:" + secret.substring(0, 20),
            "v1:" + b64(RandomTokens.randomBytes(16)),
            "v0:" + secret,
            "v01:" + secret,
            "1:" + secret,
            "v:" + secret,
            "vx:" + secret,
            "v1 " + secret,
            "v1:" + secret + "\nv1:" + secret,
            "v1:" + secret + "!",
            "# only a comment",
            "",
        };
        for (String content : bad) {
            Path file = dir.resolve("bad.keys");
            Files.writeString(file, "# header\n" + content + "\n");
            IOException e = assertThrows(IOException.class, () -> KeyRing.load(file), content);
            assertFalse(e.getMessage().contains(secret.substring(0, 20)), e.getMessage());
        }
    }

    @Test
    void reportsPermissionsThatAreTooOpen() throws IOException {
        Path file = dir.resolve("ring.keys");
        Files.writeString(file, "v1:" + b64(RandomTokens.randomBytes(32)) + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertTrue(KeyRing.loadOrCreate(file, false).permissionsTooOpen());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
        assertFalse(KeyRing.loadOrCreate(file, false).permissionsTooOpen());
    }

    @Test
    void fromBase64IsVersionOneAndDoesNotEchoBadInput() {
        byte[] key = RandomTokens.randomBytes(32);
        KeyRing ring = KeyRing.fromBase64(" " + b64(key) + "\n");
        assertEquals(Set.of(1), ring.versions());
        assertEquals(b64(key), b64(ring.key(1)));
        String wrongLength = b64(RandomTokens.randomBytes(24));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyRing.fromBase64(wrongLength));
        assertFalse(e.getMessage().contains(wrongLength));
        assertThrows(IllegalArgumentException.class, () -> KeyRing.fromBase64("not base64 at all!"));
        assertThrows(IllegalArgumentException.class, () -> KeyRing.fromBase64(""));
    }

    @Test
    void rotationAddsVersionAndKeepsOldOnes() throws IOException {
        Path file = dir.resolve("ring.keys");
        KeyRing first = KeyRing.loadOrCreate(file, true).ring();
        KeyRing second = first.rotate(file);
        assertEquals(Set.of(1, 2), second.versions());
        assertEquals(2, second.currentVersion());
        assertSameKey(first, second, 1);
        assertNotEquals(b64(second.key(1)), b64(second.key(2)));
        assertEquals(Set.of(1), first.versions(), "rings are immutable");

        KeyRing reloaded = KeyRing.load(file);
        assertSameKey(second, reloaded, 1);
        assertSameKey(second, reloaded, 2);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

        KeyRing third = reloaded.rotate(file);
        assertEquals(3, third.currentVersion());
        assertEquals(Set.of(1, 2, 3), KeyRing.load(file).versions());
    }

    @Test
    void rotationRefusesToOverwriteAFileChangedSinceLoading() throws IOException {
        Path file = dir.resolve("ring.keys");
        KeyRing stale = KeyRing.loadOrCreate(file, true).ring();
        KeyRing.load(file).rotate(file);
        assertThrows(IOException.class, () -> stale.rotate(file));
        assertEquals(Set.of(1, 2), KeyRing.load(file).versions());
    }

    @Test
    void rotatingAnEnvironmentKeyWritesANewFile() throws IOException {
        KeyRing fromEnv = KeyRing.fromBase64(b64(RandomTokens.randomBytes(32)));
        Path file = dir.resolve("new.keys");
        KeyRing rotated = fromEnv.rotate(file);
        assertEquals(Set.of(1, 2), KeyRing.load(file).versions());
        assertSameKey(fromEnv, rotated, 1);
    }

    @Test
    void toStringShowsVersionsOnly() throws IOException {
        Path file = dir.resolve("ring.keys");
        KeyRing ring = KeyRing.loadOrCreate(file, true).ring().rotate(file);
        String text = ring.toString();
        assertEquals("KeyRing[versions=[1, 2], current=2]", text);
        String content = Files.readString(file, StandardCharsets.UTF_8);
        for (String line : content.split("\n")) {
            if (line.startsWith("v")) {
                assertFalse(text.contains(line.substring(3, 15)));
            }
        }
    }

    private static void assertSameKey(KeyRing a, KeyRing b, int version) {
        assertEquals(b64(a.key(version)), b64(b.key(version)));
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
