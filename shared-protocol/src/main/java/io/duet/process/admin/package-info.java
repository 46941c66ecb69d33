/**
 * The admin port both server tiers serve next to their traffic: {@code GET /live}, {@code GET /ready}
 * (200, or 503 with a one-line reason) and {@code GET /metrics} (Prometheus text from a Micrometer
 * registry), and on servers that can drain {@code POST /drain} and {@code GET /drain} ({@link
 * io.duet.process.admin.DrainControl}), and the operators' status page {@code GET /status} with {@code GET
 * /status.json} (fed by a {@link io.duet.process.admin.StatusSource}), on an event loop of its own, with
 * small request limits and an idle timeout. Settings {@code admin.host} and {@code admin.port}.
 *
 * <p>Start at {@link io.duet.process.admin.AdminServer}; a server says when it is ready through a
 * {@link io.duet.process.admin.ReadinessCheck}. {@code AdminServerInitializer} wires the pipeline,
 * {@code StatusHandler} answers the status page (rendered by {@code StatusHtml} and {@code StatusJson}) and
 * {@code AdminHandler} the rest.
 *
 * <p>The metric names the servers register are listed in the README ("Health and metrics"); they are
 * stable: a dashboard or an alert may rely on them.
 */
package io.duet.process.admin;
