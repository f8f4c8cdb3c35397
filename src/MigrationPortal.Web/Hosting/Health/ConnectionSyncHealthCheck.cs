using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Web.Hosting.Health;

/// <summary>
/// Each connection's last successful inventory sync. A stale one is Degraded, never Unhealthy: every node sees the same
/// connections, so an Unhealthy answer would take every node out of the load balancer for a hypervisor's fault.
/// Only the connection's name and times are shown: the probe is anonymous, and a sync error can name hosts.
/// </summary>
public sealed class ConnectionSyncHealthCheck(IDbContextFactory<PortalDbContext> dbs, TimeProvider time, IOptions<HealthOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var connections = await db.Connections.AsNoTracking()
            .Select(c => new { c.Name, c.LastSyncedAt, Failed = c.LastSyncError != null })
            .ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        var limit = options.Value.SyncStaleAfter;
        var data = new Dictionary<string, object>();
        var stale = new List<string>();
        foreach (var c in connections.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            data[c.Name] = c.LastSyncedAt?.ToUniversalTime().ToString("O") ?? "never";
            if (c.LastSyncedAt is { } last && now - last <= limit) continue;
            var age = c.LastSyncedAt is { } at ? $"last synced {Age(now - at)} ago" : "never synced";
            stale.Add(c.Failed ? $"{c.Name} ({age}; its last attempt failed)" : $"{c.Name} ({age})");
        }

        if (stale.Count == 0)
            return HealthCheckResult.Healthy(connections.Count == 0 ? "No connections." : $"{connections.Count} connection(s) synced within {Age(limit)}.", data);
        return HealthCheckResult.Degraded($"Inventory sync older than {Age(limit)}: {string.Join(", ", stale)}.", data: data);
    }

    private static string Age(TimeSpan span) =>
        span.TotalDays >= 2 ? $"{span.TotalDays:0} d" : span.TotalHours >= 1 ? $"{span.TotalHours:0.#} h" : $"{Math.Max(0, span.TotalMinutes):0} min";
}
