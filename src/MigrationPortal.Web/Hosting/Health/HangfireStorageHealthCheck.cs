using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace MigrationPortal.Web.Hosting.Health;

/// <summary>
/// Hangfire's storage answers (a query for its servers), and at least one Hangfire server has a recent heartbeat.
/// No live server is Degraded, not Unhealthy: this node still serves the UI and API, but nothing runs, expires or
/// reconciles until a worker node comes back, which an operator must hear about.
/// </summary>
public sealed class HangfireStorageHealthCheck(JobStorage storage, TimeProvider time, IOptions<HealthOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // Hangfire's monitoring API is synchronous: run it off the request thread so the check's timeout can give up on it.
        var servers = await Task.Run(() => storage.GetMonitoringApi().Servers(), cancellationToken);
        var since = time.GetUtcNow().UtcDateTime - options.Value.HangfireServerStaleAfter;
        var alive = servers.Count(s => s.Heartbeat is { } beat && beat >= since);
        var data = new Dictionary<string, object> { ["serversRegistered"] = servers.Count, ["serversAlive"] = alive };
        return alive > 0
            ? HealthCheckResult.Healthy($"Hangfire's storage answers; {alive} server(s) alive.", data)
            : HealthCheckResult.Degraded(
                $"Hangfire's storage answers, but no Hangfire server has a heartbeat in the last {options.Value.HangfireServerStaleAfter.TotalMinutes:0.#} minute(s): " +
                "no job runs. Keep Hangfire:ServerEnabled=true on at least one node.", data: data);
    }
}
