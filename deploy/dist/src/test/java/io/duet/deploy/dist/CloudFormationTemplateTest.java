package io.duet.deploy.dist;

import static io.duet.deploy.dist.DeployFiles.SOURCES;
import static io.duet.deploy.dist.DeployFiles.TEMPLATE;
import static io.duet.deploy.dist.DeployFiles.seconds;
import static io.duet.deploy.dist.DeployFiles.timing;
import static org.assertj.core.api.Assertions.assertThat;

import io.duet.process.metrics.MetricsSettings;
import io.duet.settings.Settings;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CloudFormation template in {@code src/dist/aws}: cfn-lint (from PyPI; .ci/run installs it) finds
 * nothing, and would find a broken template; its defaults are the example settings' ports, its user data
 * writes only setting keys the servers read, and its timings agree with one another; its groups wait for a
 * drain in lifecycle hooks, its target groups check {@code /ready}, and its servers may read S3 and put
 * CloudWatch metrics, which they do; the load balancers' addresses have no default.
 */
class CloudFormationTemplateTest {
    @TempDir
    Path work;

    @Test
    void cfnLintFindsNothing() throws Exception {
        DeployFiles.Run lint = cfnLint(TEMPLATE);
        assertThat(lint.exitCode()).as("cfn-lint %s:%n%s", TEMPLATE, lint.output()).isZero();
        assertThat(lint.output()).isBlank();
    }

    /** The check above would catch a mistake: a resource type that does not exist is an error. */
    @Test
    void cfnLintFailsABrokenTemplate() throws Exception {
        Path broken = work.resolve("broken.yaml");
        String template = Files.readString(TEMPLATE, StandardCharsets.UTF_8);
        Files.writeString(broken, template.replace("Type: AWS::EC2::LaunchTemplate", "Type: AWS::EC2::LaunchTemplat"));
        DeployFiles.Run lint = cfnLint(broken);
        assertThat(lint.exitCode()).as("cfn-lint exit status: 2 means errors").isEqualTo(2);
        assertThat(lint.output()).contains("E3006").contains("AWS::EC2::LaunchTemplat");
    }

    @Test
    void thePortsAreTheExampleSettingsPorts() throws IOException {
        Properties presentation = properties("conf/presentation-server.properties");
        Properties application = properties("conf/application-server.properties");
        assertThat(parameterDefault("ClientTcpPort")).isEqualTo(presentation.getProperty("client.tcp.port"));
        assertThat(parameterDefault("ClientHttpPort")).isEqualTo(presentation.getProperty("client.http.port"));
        assertThat(parameterDefault("PresentationAdminPort")).isEqualTo(presentation.getProperty("admin.port"));
        assertThat(parameterDefault("RelayPort")).isEqualTo(application.getProperty("relay.port"));
        assertThat(parameterDefault("ApplicationAdminPort")).isEqualTo(application.getProperty("admin.port"));
        assertThat(parameterDefault("ClusterShards")).isEqualTo(application.getProperty("cluster.shards"));
        assertThat(parameterDefault("ClusterName")).isEqualTo(application.getProperty("cluster.name"))
                .isEqualTo(presentation.getProperty("cluster.name"));
    }

    /**
     * The load balancers' addresses, whose X-Forwarded-For the presentation servers believe, have no default
     * (a default wide enough to hold them would let other hosts claim any client address): the operator
     * names them, as addresses or CIDR blocks.
     */
    @Test
    void theLoadBalancerCidrsMustBeNamed() throws IOException {
        Matcher block = Pattern.compile("(?m)^  LoadBalancerCidrs:\\n((?:    .*\\n)+)")
                .matcher(Files.readString(TEMPLATE, StandardCharsets.UTF_8));
        assertThat(block.find()).as("parameter LoadBalancerCidrs").isTrue();
        assertThat(block.group(1)).doesNotContain("Default:");
        Matcher allowed = Pattern.compile("(?m)^    AllowedPattern: \"(.+)\"$").matcher(block.group(1));
        assertThat(allowed.find()).as("an AllowedPattern").isTrue();
        Pattern pattern = Pattern.compile(allowed.group(1));
        assertThat(List.of("10.0.1.0/24", "10.0.1.0/24,10.0.2.0/24", "10.0.1.0/24, 10.0.2.0/24", "10.0.1.5",
                "2600:1f18::/56")).allMatch(value -> pattern.matcher(value).matches(), "accepted");
        assertThat(List.of("", " ", "10.0.1.0/24,", "any")).noneMatch(value -> pattern.matcher(value).matches());
    }

    /**
     * The settings files the user data writes name only keys of the example settings (or the drain's), and
     * name the token secret and relay TLS files where the user data's duet-fetch-secrets writes them.
     */
    @Test
    void theUserDataWritesOnlyRealSettings() throws IOException {
        for (String tier : List.of("presentation", "application")) {
            Set<String> known = new java.util.HashSet<>(properties("conf/" + tier + "-server.properties").stringPropertyNames());
            known.addAll(commentedOutKeys(tier));
            Map<String, String> written = writtenSettings(tier);
            assertThat(written.keySet()).as("%s settings", tier).isNotEmpty().allMatch(known::contains, "a key the server reads");
            assertThat(written).containsKeys("server.id", "cluster.name", "zookeeper.connect", "admin.host", "admin.port")
                    .doesNotContainKeys("token.secret", "relay.tls.enabled");
            DeployFiles.SECRET_FILES.forEach((key, file) ->
                    assertThat(written).as("%s settings", tier).containsEntry(key, "/etc/duet/" + file));
        }
    }

    /** Each tier fetches the token secret, the CA and its own certificate and key, and may read only those. */
    @Test
    void eachTierReadsExactlyItsOwnSecretParameters() throws IOException {
        String template = Files.readString(TEMPLATE, StandardCharsets.UTF_8);
        for (String tier : List.of("Presentation", "Application")) {
            String other = tier.equals("Presentation") ? "Application" : "Presentation";
            Matcher fetch = Pattern.compile("/opt/duet/aws/duet-fetch-secrets \\$\\{AWS::Region} (.*) \\\\\\n\\s*(.*)\\n")
                    .matcher(section(template, tier + "LaunchTemplate"));
            assertThat(fetch.find()).as("the %s user data runs duet-fetch-secrets", tier).isTrue();
            assertThat((fetch.group(1) + " " + fetch.group(2)).split(" ")).containsExactly("${TokenSecretParameter}",
                    "${RelayCaCertificateParameter}", "${" + tier + "RelayCertificateParameter}", "${" + tier + "RelayKeyParameter}");

            String policy = section(template, "ServerCommonPolicy") + section(template, tier + "Role");
            Matcher parameters = Pattern.compile(":parameter/\\$\\{(\\w+)}").matcher(policy);
            List<String> readable = new ArrayList<>();
            while (parameters.find()) {
                readable.add(parameters.group(1));
            }
            assertThat(readable).as("the parameters %s servers may read", tier).containsExactlyInAnyOrder(
                    "TokenSecretParameter", "RelayCaCertificateParameter",
                    tier + "RelayCertificateParameter", tier + "RelayKeyParameter");
            assertThat(policy).doesNotContain(other + "RelayKeyParameter").doesNotContain("ssm:GetParameters");
        }
    }

    /**
     * Scale-in and rolling updates wait for a server's drain: both groups hold a terminating instance in a
     * lifecycle hook, which the server's duet-scale-in-hook unit completes once it has stopped.
     */
    @Test
    void bothGroupsHoldATerminatingServerInALifecycleHookUntilItHasDrained() throws IOException {
        String template = Files.readString(TEMPLATE, StandardCharsets.UTF_8);
        for (String tier : List.of("Presentation", "Application")) {
            assertThat(section(template, tier + "Group")).as("%sGroup", tier).contains("""
                          LifecycleHookSpecificationList:
                            - LifecycleHookName: duet-drain
                              LifecycleTransition: autoscaling:EC2_INSTANCE_TERMINATING
                              HeartbeatTimeout: !FindInMap [Timing, %s, HookTimeoutSeconds]
                              DefaultResult: CONTINUE
                    """.formatted(tier));
            assertThat(section(template, tier + "LaunchTemplate")).as("%s user data", tier)
                    .contains("\"${GroupName}\" duet-drain > /etc/duet/aws.env")
                    .contains("systemctl enable --now duet-scale-in-hook@duet-" + tier.toLowerCase() + ".service");
        }
    }

    /** Both load balancers send traffic only to presentation servers whose admin port answers GET /ready. */
    @Test
    void bothTargetGroupsCheckReadinessOnTheAdminPort() throws IOException {
        String template = Files.readString(TEMPLATE, StandardCharsets.UTF_8);
        for (String targetGroup : List.of("ClientTargetGroup", "ApiTargetGroup")) {
            assertThat(section(template, targetGroup)).as(targetGroup).contains("""
                          HealthCheckProtocol: HTTP
                          HealthCheckPort: !Ref PresentationAdminPort
                          HealthCheckPath: /ready
                          Matcher:
                            HttpCode: "200"
                    """);
        }
        assertThat(section(template, "PresentationGroup")).contains("""
                      TargetGroupARNs:
                        - !Ref ClientTargetGroup
                        - !Ref ApiTargetGroup
                """);
        assertThat(section(template, "ApplicationGroup")).doesNotContain("TargetGroupARNs");
    }

    /**
     * Every server may read its tarball from S3 and put metrics in CloudWatch, in the stack's namespace only;
     * only application servers may touch the photos bucket.
     */
    @Test
    void theInstanceProfilesMayReadS3AndPutCloudWatchMetrics() throws IOException {
        String template = Files.readString(TEMPLATE, StandardCharsets.UTF_8);
        assertThat(section(template, "ServerCommonPolicy")).contains("""
                          - Sid: ReadTheTarball
                            Effect: Allow
                            Action: s3:GetObject
                            Resource:
                              - !Sub arn:${AWS::Partition}:s3:::${DistributionBucket}/${ApplicationDistributionKey}
                              - !Sub arn:${AWS::Partition}:s3:::${DistributionBucket}/${PresentationDistributionKey}
                """).contains("""
                          - Sid: PutMetricsInOneNamespace
                            Effect: Allow
                            Action: cloudwatch:PutMetricData
                            Resource: "*"
                            Condition:
                              StringEquals:
                                cloudwatch:namespace: !Ref CloudWatchNamespace
                """);
        for (String tier : List.of("Presentation", "Application")) {
            assertThat(section(template, tier + "Role")).contains("- !Ref ServerCommonPolicy");
        }
        assertThat(section(template, "ApplicationRole")).contains("""
                                Action:
                                  - s3:GetObject
                                  - s3:PutObject
                                  - s3:DeleteObject
                                Resource: !Sub arn:${AWS::Partition}:s3:::${PhotoBucketName}/*
                """);
        assertThat(section(template, "PresentationRole")).doesNotContain("PhotoBucketName");
    }

    /**
     * The permission is used: both tiers' settings turn CloudWatch export on (parameter CloudWatchMetrics) in
     * the namespace the policy allows, and the servers read them as meant once CloudFormation has filled in
     * the parameters.
     */
    @Test
    void bothTiersPutTheirMetricsInTheAllowedNamespace() throws IOException {
        assertThat(parameterDefault("CloudWatchMetrics")).isEqualTo("\"true\"");
        assertThat(parameterDefault("CloudWatchNamespace")).isEqualTo(MetricsSettings.DEFAULT_NAMESPACE);
        Map<String, String> parameters = Map.of("${CloudWatchMetrics}", "true", "${CloudWatchNamespace}", "Duet-prod",
                "${ClusterName}", "prod", "${AWS::Region}", "eu-west-1");
        for (String tier : List.of("presentation", "application")) {
            Map<String, String> written = writtenSettings(tier);
            assertThat(written).as("%s settings", tier)
                    .containsEntry(MetricsSettings.CLOUDWATCH_ENABLED_KEY, "${CloudWatchMetrics}")
                    .containsEntry(MetricsSettings.NAMESPACE_KEY, "${CloudWatchNamespace}")
                    .containsEntry(MetricsSettings.REGION_KEY, "${AWS::Region}");
            Map<String, String> filledIn = new java.util.HashMap<>();
            written.forEach((key, value) -> {
                String filled = value;
                for (Map.Entry<String, String> parameter : parameters.entrySet()) {
                    filled = filled.replace(parameter.getKey(), parameter.getValue());
                }
                filledIn.put(key, filled);
            });
            MetricsSettings metrics = MetricsSettings.from(Settings.of(filledIn));
            assertThat(metrics.cloudWatchEnabled()).as("%s: cloudwatch on", tier).isTrue();
            assertThat(metrics.namespace()).isEqualTo("Duet-prod");
            assertThat(metrics.dimensions()).containsOnly(Map.entry("cluster", "prod"), Map.entry("tier", tier));
        }
    }

    @Test
    void sessionsStayOnADeregisteredTargetUntilItHasDrained() throws IOException {
        long drainDeadline = seconds(timing("Presentation", "DrainDeadline"));
        assertThat(seconds(timing("Presentation", "TcpDeregistrationDelaySeconds"))).isGreaterThan(drainDeadline);
        assertThat(Files.readString(TEMPLATE)).contains("""
                        - Key: deregistration_delay.connection_termination.enabled
                          Value: "false"
                """);
        assertThat(seconds(timing("Presentation", "HttpDeregistrationDelaySeconds")))
                .as("longer than an HTTP call's deadline (http.request-timeout)")
                .isGreaterThan(seconds(properties("conf/presentation-server.properties").getProperty("http.request-timeout")));
    }

    /**
     * The NLB does not retry a refused connection elsewhere: a draining server keeps accepting until the
     * client target group's health check has seen {@code /ready} fail (interval x unhealthy threshold).
     */
    @Test
    void aDrainingServerKeepsAcceptingUntilTheNlbHasSeenItNotReady() throws IOException {
        String targetGroup = section(Files.readString(TEMPLATE, StandardCharsets.UTF_8), "ClientTargetGroup");
        long detection = intProperty(targetGroup, "HealthCheckIntervalSeconds") * intProperty(targetGroup, "UnhealthyThresholdCount");
        assertThat(seconds(timing("Presentation", "DrainDelay"))).as("drain.delay").isGreaterThanOrEqualTo(detection);
    }

    private static long intProperty(String section, String key) {
        Matcher matcher = Pattern.compile("(?m)^      " + key + ": (\\d+)$").matcher(section);
        assertThat(matcher.find()).as("%s", key).isTrue();
        return Long.parseLong(matcher.group(1));
    }

    /** Keys the example files leave commented out or do not have yet. */
    private static Set<String> commentedOutKeys(String tier) {
        Set<String> keys = new java.util.HashSet<>(Set.of("token.secret-file", MetricsSettings.CLOUDWATCH_ENABLED_KEY,
                MetricsSettings.NAMESPACE_KEY, MetricsSettings.DIMENSIONS_KEY, MetricsSettings.REGION_KEY));
        keys.addAll(tier.equals("presentation") ? Set.of("drain.window", "drain.deadline")
                : Set.of("placement.zone", "placement.host"));
        return keys;
    }

    /** The settings the {@code tier} user data writes, in order. */
    private static Map<String, String> writtenSettings(String tier) throws IOException {
        Matcher heredoc = Pattern.compile("(?s)cat > /etc/duet/" + tier + "-server\\.properties <<EOF\\n(.*?)\\n\\s*EOF\\n")
                .matcher(Files.readString(TEMPLATE, StandardCharsets.UTF_8));
        assertThat(heredoc.find()).as("the %s user data writes its settings", tier).isTrue();
        Map<String, String> written = new java.util.LinkedHashMap<>();
        for (String line : heredoc.group(1).split("\n")) {
            String entry = line.strip();
            int equals = entry.indexOf('=');
            assertThat(equals).as("%s: key=value", entry).isPositive();
            assertThat(written.put(entry.substring(0, equals), entry.substring(equals + 1))).as("%s written once", entry).isNull();
        }
        return written;
    }

    /** The template's resource {@code name} (e.g. {@code ApplicationRole}), up to the next one. */
    private static String section(String template, String name) {
        String header = "  " + name + ":\n";
        int start = template.indexOf(header);
        assertThat(start).as("the template has %s", header.strip()).isNotNegative();
        Matcher next = Pattern.compile("(?m)^  \\S").matcher(template);
        return next.find(start + header.length()) ? template.substring(start, next.start()) : template.substring(start);
    }

    private static String parameterDefault(String parameter) throws IOException {
        Matcher matcher = Pattern.compile("(?m)^  " + parameter + ":\\n(?:    (?!Default).*\\n)*    Default: (\\S+)$")
                .matcher(Files.readString(TEMPLATE, StandardCharsets.UTF_8));
        assertThat(matcher.find()).as("parameter %s has a default", parameter).isTrue();
        return matcher.group(1);
    }

    private static Properties properties(String file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(SOURCES.resolve(file), StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        return properties;
    }

    private static DeployFiles.Run cfnLint(Path template) throws Exception {
        String cfnLint = DeployFiles.require("cfn-lint", "pip install cfn-lint");
        return DeployFiles.run(List.of(cfnLint, template.toString()), Map.of(), Duration.ofSeconds(120));
    }
}
