package io.duet.admin.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestartCommandTest {
    private static final DeployNode APP = new DeployNode("app-1", DeployNode.Kind.APPLICATION, "10.0.1.5",
            DeployNode.fixed(URI.create("http://10.0.1.5:7300")));

    @Test
    void placeholdersAreFilledIn() {
        assertThat(RestartCommand.render("ssh {host} sudo systemctl restart duet-{kind} # {name}", APP,
                new DeployNode.Instance(URI.create("http://x:1"), -1)))
                .isEqualTo("ssh 10.0.1.5 sudo systemctl restart duet-application # app-1");
        assertThat(RestartCommand.render("kill -TERM {pid}", APP, new DeployNode.Instance(URI.create("http://x:1"), 42)))
                .isEqualTo("kill -TERM 42");
    }

    @Test
    void anUnknownPidOrPlaceholderOrAValueThatIsNotAWordIsRefused() {
        assertThatThrownBy(() -> RestartCommand.render("kill {pid}", APP, new DeployNode.Instance(null, -1)))
                .hasMessageContaining("needs {pid}");
        assertThatThrownBy(() -> RestartCommand.check("ssh {hots} restart")).hasMessageContaining("{hots}");
        assertThatThrownBy(() -> RestartCommand.check(" ")).hasMessageContaining("empty");
        DeployNode evil = new DeployNode("a;rm -rf /", DeployNode.Kind.PRESENTATION, "h", APP.locator());
        assertThatThrownBy(() -> RestartCommand.render("echo {name}", evil, new DeployNode.Instance(null, -1)))
                .hasMessageContaining("not a plain word");
    }

    @Test
    void runGivesTheOutputAndStatusAndKillsACommandThatHangs() throws Exception {
        RestartCommand.Result result = RestartCommand.run("echo restarting; echo oops >&2; exit 3", Duration.ofSeconds(10));
        assertThat(result.exitStatus()).isEqualTo(3);
        assertThat(result.output()).containsExactly("restarting", "oops");
        long started = System.nanoTime();
        assertThatThrownBy(() -> RestartCommand.run("echo waiting; sleep 30", Duration.ofMillis(500)))
                .hasMessageContaining("did not end within").hasMessageContaining("waiting");
        assertThat(System.nanoTime() - started).isLessThan(Duration.ofSeconds(10).toNanos());
    }
}
