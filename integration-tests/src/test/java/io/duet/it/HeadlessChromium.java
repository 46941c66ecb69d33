package io.duet.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Debian's headless Chromium driven through its chromedriver over the W3C WebDriver protocol (plain
 * HTTP and JSON, so no client library): open a page, run a script that returns a string, take a
 * screenshot. One browser session, with a fresh profile directory; {@link #close()} ends both processes.
 */
final class HeadlessChromium implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern SESSION_ID = Pattern.compile("\"sessionId\"\\s*:\\s*\"([^\"]+)\"");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Process driver;
    private final Path profile;
    private final URI base;
    private final String session;

    private HeadlessChromium(Process driver, Path profile, URI base, String session) {
        this.driver = driver;
        this.profile = profile;
        this.base = base;
        this.session = session;
    }

    /** Why the browser cannot run here, if it cannot. */
    static java.util.Optional<String> missing() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            return java.util.Optional.of("needs Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
                    + "): apt-get install chromium chromium-driver (.ci/run does)");
        }
        return java.util.Optional.empty();
    }

    /** How many times {@link #start} tries to start chromedriver, each on a port of its own. */
    private static final int DRIVER_ATTEMPTS = 3;
    /** How long one chromedriver is given to answer {@code GET /status}. */
    private static final Duration DRIVER_START_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Starts chromedriver and a headless browser session with a window of {@code width} x {@code height}.
     * chromedriver gets a port found free a moment before, which another process may take in between, and
     * a busy box may keep it from answering for a while: so it is tried {@link #DRIVER_ATTEMPTS} times, and
     * a failure carries the end of its log ({@code log}, each attempt's after the previous one's).
     */
    static HeadlessChromium start(int width, int height, Path log) throws IOException, InterruptedException {
        Files.deleteIfExists(log);
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce(width, height, log);
            } catch (DriverDidNotStart e) {
                if (attempt == DRIVER_ATTEMPTS) {
                    throw new IOException("chromedriver did not start in " + DRIVER_ATTEMPTS + " attempts (" + e.getMessage()
                            + "); the end of " + log + ":\n" + tail(log, 2_000), e);
                }
            }
        }
    }

    /** chromedriver exited, or did not answer, before a browser session was asked of it. */
    private static final class DriverDidNotStart extends IOException {
        DriverDidNotStart(String message) {
            super(message);
        }
    }

    private static HeadlessChromium startOnce(int width, int height, Path log) throws IOException, InterruptedException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Process driver = new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port, "--allowed-ips=127.0.0.1")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        Path profile = Files.createTempDirectory("duet-chromium-");
        URI base = URI.create("http://127.0.0.1:" + port + "/");
        try {
            awaitDriver(driver, base);
            String args = String.join(",", Stream.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=" + width + "," + height)
                    .map(arg -> quote(arg)).toList());
            String capabilities = "{\"capabilities\":{\"alwaysMatch\":{\"browserName\":\"chrome\","
                    + "\"goog:chromeOptions\":{\"binary\":" + quote(CHROMIUM.toString()) + ",\"args\":[" + args + "]}}}}";
            String answer = call(HttpClient.newHttpClient(), "POST", base.resolve("session"), capabilities);
            Matcher id = SESSION_ID.matcher(answer);
            if (!id.find()) {
                throw new IOException("no browser session: " + answer);
            }
            return new HeadlessChromium(driver, profile, base, id.group(1));
        } catch (IOException | InterruptedException | RuntimeException e) {
            driver.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            deleteTree(profile);
            throw e;
        }
    }

    /** Waits for chromedriver at {@code base} to answer {@code GET /status} with 200. */
    private static void awaitDriver(Process driver, URI base) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + DRIVER_START_TIMEOUT.toNanos();
        while (true) {
            try {
                HttpResponse<String> status = http.send(HttpRequest.newBuilder(base.resolve("status"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (status.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!driver.isAlive()) {
                throw new DriverDidNotStart("it exited with status " + driver.exitValue() + " on " + base);
            }
            if (System.nanoTime() > deadline) {
                throw new DriverDidNotStart("no answer from " + base + " within " + DRIVER_START_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }

    /** The last {@code chars} characters of {@code file}, or why it cannot be read. */
    private static String tail(Path file, int chars) {
        try {
            String text = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.UTF_8);
            return text.length() <= chars ? text : "..." + text.substring(text.length() - chars);
        } catch (IOException e) {
            return "(not readable: " + e + ")";
        }
    }

    void open(URI page) throws IOException, InterruptedException {
        command("POST", "url", "{\"url\":" + quote(page.toString()) + "}");
    }

    /** Runs {@code script} (a function body that returns a string) in the page; its result. */
    String run(String script) throws IOException, InterruptedException {
        String answer = command("POST", "execute/sync", "{\"script\":" + quote(script) + ",\"args\":[]}");
        return stringValue(answer);
    }

    /** A PNG of the window as it shows now, written to {@code file}. */
    void screenshot(Path file) throws IOException, InterruptedException {
        byte[] png = Base64.getDecoder().decode(stringValue(command("GET", "screenshot", null)));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, png);
    }

    private String command(String method, String path, String body) throws IOException, InterruptedException {
        return call(http, method, base.resolve("session/" + session + "/" + path), body);
    }

    private static String call(HttpClient http, String method, URI uri, String body)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(COMMAND_TIMEOUT)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(method + " " + uri.getPath() + ": " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    /** The string in {@code {"value": "..."}}; "" for a null value. */
    static String stringValue(String answer) throws IOException {
        Matcher value = Pattern.compile("\"value\"\\s*:\\s*").matcher(answer);
        if (!value.find()) {
            throw new IOException("no value in " + answer);
        }
        int at = value.end();
        if (answer.startsWith("null", at)) {
            return "";
        }
        if (answer.charAt(at) != '"') {
            throw new IOException("not a string value: " + answer);
        }
        StringBuilder out = new StringBuilder();
        for (int i = at + 1; i < answer.length(); i++) {
            char c = answer.charAt(i);
            if (c == '"') {
                return out.toString();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char escaped = answer.charAt(++i);
            switch (escaped) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'u' -> {
                    out.append((char) Integer.parseInt(answer.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> out.append(escaped);
            }
        }
        throw new IOException("unterminated string in " + answer);
    }

    static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** Ends the browser session, then chromedriver (and the browser with it). */
    @Override
    public void close() throws InterruptedException {
        try {
            call(http, "DELETE", base.resolve("session/" + session), null);
        } catch (IOException e) {
            // chromedriver is stopped below in any case
        }
        driver.destroy();
        if (!driver.waitFor(10, TimeUnit.SECONDS)) {
            driver.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        deleteTree(profile);
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind
        }
    }
}
