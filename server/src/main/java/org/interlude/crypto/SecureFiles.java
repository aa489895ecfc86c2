package org.interlude.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Atomic, permission-controlled file writes for key and certificate material.
 *
 * <p>A reader either sees the old file or the complete new one, never a torn write, and a secret
 * never exists on disk with wider permissions than requested, not even briefly: the temporary file
 * is created with its final permissions before any byte is written.
 */
final class SecureFiles {

    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> WORLD_READABLE = PosixFilePermissions.fromString("rw-r--r--");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");

    private SecureFiles() {
    }

    /**
     * Replaces {@code target} with {@code content}: temporary file in the same directory, fsync,
     * atomic rename, fsync of the directory so the rename itself survives a crash.
     *
     * @throws IOException if the file system lacks POSIX permissions (a key must not be written
     *     where its permissions cannot be controlled) or atomic renames, or on any I/O error
     */
    static void writeAtomically(Path target, byte[] content, Set<PosixFilePermission> permissions) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path temporary = writeTemporary(absolute, content, permissions);
        boolean moved = false;
        try {
            try {
                Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + absolute + " atomically on this file system", e);
            }
            moved = true;
            syncDirectory(absolute.getParent());
        } finally {
            if (!moved) {
                Files.deleteIfExists(temporary);
            }
        }
    }

    /**
     * Like {@link #writeAtomically} but only if {@code target} does not exist yet, decided atomically by
     * the file system (a hard link fails if the name is taken). Two processes racing to create the same
     * key file therefore cannot both believe that their key is the one on disk.
     *
     * @return true if this call created the file, false if it already existed (it is then left as it is)
     */
    static boolean createAtomically(Path target, byte[] content, Set<PosixFilePermission> permissions) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path temporary = writeTemporary(absolute, content, permissions);
        try {
            Files.createLink(absolute, temporary);
            syncDirectory(absolute.getParent());
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (UnsupportedOperationException e) {
            throw new IOException("cannot create " + absolute + " atomically: the file system has no hard links", e);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** A fully written, fsynced temporary file with the final permissions, next to {@code absolute}. */
    private static Path writeTemporary(Path absolute, byte[] content, Set<PosixFilePermission> permissions) throws IOException {
        Path directory = absolute.getParent();
        requirePosix(directory);
        if (!Files.isDirectory(directory)) {
            // New directories holding secrets should not be listable by others either.
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
        }
        Path temporary = Files.createTempFile(directory, "." + absolute.getFileName() + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        boolean written = false;
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            // The umask may only remove bits, so set the final mode explicitly (e.g. 0644 for a certificate).
            Files.setPosixFilePermissions(temporary, permissions);
            written = true;
            return temporary;
        } finally {
            if (!written) {
                Files.deleteIfExists(temporary);
            }
        }
    }

    /** Whether the file grants any access to group or others, which a private key must not. */
    static boolean isAccessibleByOthers(Path file) throws IOException {
        if (!supportsPosix(file)) {
            return false;
        }
        Set<PosixFilePermission> actual = Files.getPosixFilePermissions(file);
        for (PosixFilePermission permission : actual) {
            if (!permission.name().startsWith("OWNER_")) {
                return true;
            }
        }
        return false;
    }

    private static void requirePosix(Path directory) throws IOException {
        if (!supportsPosix(directory)) {
            throw new IOException("file system of " + directory + " has no POSIX permissions; refusing to write key material there");
        }
    }

    private static boolean supportsPosix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some file systems refuse to open directories; the rename is still atomic, only its durability
            // across a power loss is weaker there, so this is not worth failing the write for.
        }
    }
}
