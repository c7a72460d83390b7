import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Has DJL download its libtorch build for {@code PYTORCH_FLAVOR} into {@code DJL_CACHE_DIR}, then copies
 * that directory to a target directory.
 *
 * <p>Run while building the GPU TaskManager image: {@code java -cp 'lib/*' FetchLibtorch.java CACHE_DIR
 * VERSION FLAVOR TARGET}. The build host needs network access but no GPU: loading the CUDA libraries
 * may fail there, after the files are in place, and that failure is reported and ignored.
 */
public final class FetchLibtorch {

    private FetchLibtorch() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: FetchLibtorch CACHE_DIR PYTORCH_VERSION PYTORCH_FLAVOR TARGET_DIR");
            System.exit(2);
        }
        Path cacheRoot = Path.of(args[0]).resolve("pytorch");
        String version = args[1];
        String flavor = args[2];
        Path target = Path.of(args[3]);
        try {
            ai.djl.pytorch.jni.LibUtils.loadLibrary();
        } catch (Throwable e) {
            System.err.println("Loading libtorch on the build host failed (expected there without a GPU driver;"
                    + " the check below tells whether the download worked): " + e);
        }
        Path dir = cacheRoot.resolve(version + '-' + flavor + "-linux-x86_64");
        if (!Files.isRegularFile(dir.resolve("libtorch.so"))) {
            System.err.println("DJL left no libtorch.so in " + dir + "; the cache holds: " + list(cacheRoot));
            System.exit(1);
        }
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.collect(Collectors.toList())) {
                if (Files.isRegularFile(file)) {
                    Files.copy(file, target.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        System.out.println("libtorch " + version + " (" + flavor + ") copied to " + target + ": " + list(target));
    }

    private static List<String> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
