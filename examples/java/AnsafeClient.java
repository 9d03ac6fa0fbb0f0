// Calling the ansafe-rules HTTP service from Java 17 with java.net.http.HttpClient only
// (docs/http.md). No JSON library: the shipped examples go as YAML, which the service reads,
// and the few values printed are picked from the JSON with regular expressions; a real client
// would generate its classes from docs/openapi.json or use Jackson.
//
//   javac -d out examples/java/AnsafeClient.java
//   java -cp out AnsafeClient http://127.0.0.1:8000 2026-07-31 examples/*.yaml

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public final class AnsafeClient {
    private static final Pattern POLICY = Pattern.compile("\"policy_id\": \"([^\"]*)\"");
    private static final Pattern VIOLATIONS = Pattern.compile("\"violation\": (\\d+)");
    private static final Pattern LINE = Pattern.compile("^\\{\"line\": (\\d+)");
    private static final Pattern TITLE = Pattern.compile("\"title\": \"([^\"]*)\"");

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String asOf;

    private AnsafeClient(String base, String asOf) {
        this.base = base.replaceAll("/+$", "");
        this.asOf = asOf;
    }

    private HttpRequest.Builder post(String path, String contentType) {
        return HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", contentType)
                .header("Accept", "application/json, application/problem+json");
    }

    /** POST /v1/check with a YAML case file; prints the policy and its violation count. */
    private void check(Path caseFile) throws IOException, InterruptedException {
        HttpRequest request = post("/v1/check?as_of=" + asOf, "application/yaml")
                .POST(HttpRequest.BodyPublishers.ofFile(caseFile))
                .build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(caseFile + ": HTTP " + r.statusCode() + ": " + r.body());
        }
        System.out.printf("check %s: %d policy %s, %s violation(s)%n", caseFile.getFileName(),
                r.statusCode(), find(POLICY, r.body()), find(VIOLATIONS, r.body()));
    }

    /** POST /v1/batch: JSON Lines in, one JSON line out per input line, read as they come. */
    private void batch() throws IOException, InterruptedException {
        String policy = """
                {"policy": {"policy_id": "%s", "jurisdiction": "national", "insurer": "某保险公司",
                 "insured": "某建设集团", "industry": "construction",
                 "term_start": "2025-07-01", "term_end": "2026-06-30"}}""";
        String body = String.join("\n",
                policy.formatted("J-1").replace("\n", ""),
                "{\"policy\": ",  // broken on purpose: costs this line only
                policy.formatted("J-3").replace("\n", ""));
        HttpRequest request = post("/v1/batch?lang=en&as_of=" + asOf, "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<java.util.stream.Stream<String>> r =
                http.send(request, HttpResponse.BodyHandlers.ofLines());
        r.body().forEach(line -> System.out.printf("batch line %s: %s%n", find(LINE, line),
                line.contains("\"error\"") ? "error" : "policy " + find(POLICY, line)));
    }

    /** An unknown jurisdiction: 422 with problem details (RFC 9457). */
    private void problem(Path caseFile) throws IOException, InterruptedException {
        HttpRequest request = post("/v1/check?lang=en&jurisdiction=atlantis", "application/yaml")
                .POST(HttpRequest.BodyPublishers.ofFile(caseFile))
                .build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        System.out.printf("error %d %s: %s%n", r.statusCode(),
                r.headers().firstValue("Content-Type").orElse("?"), find(TITLE, r.body()));
    }

    private static String find(Pattern p, String text) {
        Matcher m = p.matcher(text);
        return m.find() ? m.group(1) : "?";
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: AnsafeClient BASE_URL AS_OF CASE.yaml...");
            System.exit(2);
        }
        AnsafeClient client = new AnsafeClient(args[0], args[1]);
        for (int i = 2; i < args.length; i++) {
            client.check(Path.of(args[i]));
        }
        client.batch();
        client.problem(Path.of(args[2]));
    }
}
