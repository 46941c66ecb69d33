/**
 * Measurements of the application server's storage that need no running cluster, only HBase: {@link
 * io.duet.app.bench.LargeCouple} generates a ten-year couple in the archive layout and measures its pages
 * and rows ({@code bin/duet-generate-couple}, BENCHMARKS.md).
 */
package io.duet.app.bench;
