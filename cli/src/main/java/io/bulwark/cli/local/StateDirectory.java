package io.bulwark.cli.local;

import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The state directory of {@code run}: Flink's retained checkpoints under {@code checkpoints/<job id>/chk-N} and
 * savepoints under {@code savepoints/savepoint-*}. A checkpoint or savepoint is complete when its {@code _metadata}
 * file exists and Flink can read it; a directory without one (a checkpoint interrupted by kill -9) is skipped.
 */
public final class StateDirectory {

    /** A complete checkpoint or savepoint. */
    public record Restorable(Path path, boolean savepoint, FileTime written) {
    }

    private final Path root;

    private StateDirectory(Path root) {
        this.root = root;
    }

    /** Returns the state directory at {@code root} (created if missing). */
    public static StateDirectory of(Path root) throws IOException {
        Files.createDirectories(root);
        return new StateDirectory(root.toAbsolutePath());
    }

    /** Returns the directory checkpoints are written to. */
    public Path checkpoints() {
        return root.resolve("checkpoints");
    }

    /** Returns the directory savepoints are written to. */
    public Path savepoints() {
        return root.resolve("savepoints");
    }

    /** Returns the state directory. */
    public Path root() {
        return root;
    }

    /** Returns the newest complete checkpoint or savepoint (by the time its metadata was written), if any. */
    public Optional<Restorable> newest() throws IOException {
        List<Restorable> all = complete();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    /** Returns every complete checkpoint and savepoint, newest first. */
    public List<Restorable> complete() throws IOException {
        List<Restorable> out = new ArrayList<>();
        for (Path candidate : candidates()) {
            Path metadata = candidate.resolve("_metadata");
            if (Files.isRegularFile(metadata) && readable(metadata)) {
                out.add(new Restorable(candidate, candidate.startsWith(savepoints()),
                        Files.getLastModifiedTime(metadata)));
            }
        }
        out.sort(Comparator.comparing(Restorable::written).reversed());
        return out;
    }

    private List<Path> candidates() throws IOException {
        List<Path> out = new ArrayList<>();
        if (Files.isDirectory(checkpoints())) {
            try (Stream<Path> jobs = Files.list(checkpoints())) {
                for (Path job : (Iterable<Path>) jobs::iterator) {
                    if (Files.isDirectory(job)) {
                        try (Stream<Path> chk = Files.list(job)) {
                            chk.filter(p -> p.getFileName().toString().startsWith("chk-")).forEach(out::add);
                        }
                    }
                }
            }
        }
        if (Files.isDirectory(savepoints())) {
            try (Stream<Path> sp = Files.list(savepoints())) {
                sp.filter(p -> p.getFileName().toString().startsWith("savepoint-")).forEach(out::add);
            }
        }
        return out;
    }

    /** A metadata file cut short by a kill is not restorable: read it through Flink's own loader. */
    private static boolean readable(Path metadata) {
        try (InputStream in = Files.newInputStream(metadata)) {
            CheckpointMetadata m = Checkpoints.loadCheckpointMetadata(new DataInputStream(in),
                    StateDirectory.class.getClassLoader(), metadata.getParent().toString());
            return m.getOperatorStates() != null;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
