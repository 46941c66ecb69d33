/**
 * Server settings: a properties file, overridden by {@code DUET_*} environment variables, so that the
 * same jars run against the local cluster or a production ZooKeeper ensemble and HBase cluster. Start
 * at {@link io.duet.settings.Settings}.
 */
package io.duet.settings;
