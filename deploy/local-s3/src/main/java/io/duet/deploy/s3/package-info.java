/**
 * The local cluster's S3: {@link io.duet.deploy.s3.StandaloneS3} runs S3Proxy over a folder in its own
 * JVM, so that its many jars stay off the servers' classpath. Production uses real S3.
 */
package io.duet.deploy.s3;
