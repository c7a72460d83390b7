package io.bulwark.job.deploy;

import io.bulwark.serving.config.ServingConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * The serving process of the deployment, started in this JVM through serving's public API ({@code
 * ServingConfig.builder()...build()}, {@code ServingServer.start(config)}). flink-job does not depend on the
 * serving module at compile time, so the API is looked up by name; the module has to be on the test classpath.
 */
final class ServingProcess implements AutoCloseable {

    private static final String CONFIG = "io.bulwark.serving.config.ServingConfig";
    private static final String SERVER = "io.bulwark.serving.ServingServer";

    private final AutoCloseable server;
    private final String url;

    private ServingProcess(AutoCloseable server, String url) {
        this.server = server;
        this.url = url;
    }

    /** Whether the serving module is on the classpath. */
    static boolean available() {
        try {
            Class.forName(SERVER);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Starts serving on a free loopback port, reading snapshots and reports from Kafka. */
    static ServingProcess start(String bootstrapServers, String registryUrl) throws Exception {
        Class<?> configClass = Class.forName(CONFIG);
        Object builder = configClass.getMethod("builder").invoke(null);
        builder = call(builder, "optHost", new Class<?>[] {String.class}, "127.0.0.1");
        builder = call(builder, "optPort", new Class<?>[] {int.class}, 0);
        builder = call(builder, "optKafka", new Class<?>[] {String.class, String.class}, bootstrapServers, registryUrl);
        Object config = call(builder, "build", new Class<?>[0]);
        Object server = invoke(Class.forName(SERVER).getMethod("start", configClass), null, config);
        String url = (String) call(server, "url", new Class<?>[0]);
        return new ServingProcess((AutoCloseable) server, url);
    }

    /** The base URL, e.g. {@code http://127.0.0.1:41234}. */
    String url() {
        return url;
    }

    @Override
    public void close() throws Exception {
        server.close();
    }

    private static Object call(Object target, String name, Class<?>[] types, Object... args) throws Exception {
        return invoke(target.getClass().getMethod(name, types), target, args);
    }

    private static Object invoke(Method method, Object target, Object... args) throws Exception {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception) {
                throw (Exception) e.getCause();
            }
            throw e;
        }
    }
}
