package io.duet.admin;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.zookeeper.KeeperException;

/**
 * {@code bin/duet-admin}: the operators' view of a Duet cluster, and their two levers on shard
 * assignment. {@code duet-admin --help} lists the commands and options; the README's "Operating a
 * cluster" shows them at work.
 *
 * <p>Exit status: 0 done; 1 usage error (the usage text follows); 2 ZooKeeper or HBase unreachable
 * within {@code --timeout}; 3 not found or refused (an unknown server, shard, user or cluster, or a
 * request the rules forbid); 4 a request was written but no published shard map reflected it within
 * {@code --wait}; 5 any other failure, with its message.
 *
 * <p>{@link #run} does everything but exit, so that tests run the tool in-process.
 */
public final class DuetAdmin {
    static final int OTHER_FAILURE = 5;

    private final PrintStream out;
    private final PrintStream err;
    private final AdminOptions.Defaults defaults;

    DuetAdmin(PrintStream out, PrintStream err, AdminOptions.Defaults defaults) {
        this.out = out;
        this.err = err;
        this.defaults = defaults;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs one command, printing its result to {@code out} and failures to {@code err}.
     *
     * @return the exit status (see the class comment)
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return new DuetAdmin(out, err, AdminOptions.Defaults.of(home())).execute(args);
    }

    /**
     * The Duet checkout or unpacked distribution the defaults come from: {@code -Dduet.home}, {@code $DUET_HOME},
     * or the working directory.
     */
    private static Path home() {
        String configured = System.getProperty("duet.home", System.getenv("DUET_HOME"));
        return Path.of(configured == null || configured.isBlank() ? "" : configured).toAbsolutePath();
    }

    int execute(String[] args) {
        AdminOptions options;
        try {
            options = AdminOptions.parse(args, defaults);
        } catch (AdminException e) {
            return fail(e);
        }
        if (options.help()) {
            out.println(AdminOptions.usage(defaults));
            return 0;
        }
        try (ZooKeeperCluster zooKeeper = ZooKeeperCluster.connect(options.zookeeper(), options.cluster(),
                options.timeout())) {
            new AdminCommands(options, zooKeeper, out).run();
            return 0;
        } catch (AdminException e) {
            return fail(e);
        } catch (KeeperException.ConnectionLossException | KeeperException.SessionExpiredException
                | KeeperException.OperationTimeoutException e) {
            err.println("duet-admin: lost ZooKeeper at " + options.zookeeper() + ": " + e.getMessage());
            return AdminException.UNREACHABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("duet-admin: interrupted");
            return OTHER_FAILURE;
        } catch (Exception e) {
            err.println("duet-admin: " + e);
            return OTHER_FAILURE;
        }
    }

    private int fail(AdminException e) {
        err.println("duet-admin: " + e.getMessage());
        if (e.exitCode() == AdminException.USAGE) {
            err.println();
            err.println(AdminOptions.usage(defaults));
        }
        return e.exitCode();
    }

    /** {@code 5 s}, {@code 1500 ms}: a duration as messages show it. */
    static String describe(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }
}
