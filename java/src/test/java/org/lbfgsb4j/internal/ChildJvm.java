package org.lbfgsb4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A fresh JVM for tests of process-wide settings decided when the native library loads: runs
 * {@code main}'s {@code main} on this test's class path and JavaCPP cache, and returns its output
 * (standard output and error) once it has exited with status 0.
 */
final class ChildJvm {
    private ChildJvm() {}

    /**
     * @param unset environment variables removed from the inherited environment first
     * @param environment variables then set
     * @param jvmOptions options before the class name (e.g. {@code -Dkey=value})
     * @param args the program's arguments
     */
    static String run(Class<?> main, List<String> unset, Map<String, String> environment, List<String> jvmOptions,
            List<String> args, long timeoutSeconds) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "-Dorg.bytedeco.javacpp.cachedir=" + System.getProperty("org.bytedeco.javacpp.cachedir",
                        System.getProperty("java.io.tmpdir"))));
        command.addAll(jvmOptions);
        command.add(main.getName());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        unset.forEach(builder.environment()::remove);
        builder.environment().putAll(environment);
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(timeoutSeconds, TimeUnit.SECONDS), "the child JVM did not finish");
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
