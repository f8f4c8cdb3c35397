using System.ComponentModel.DataAnnotations;

namespace MigrationPortal.Web.Hosting.Health;

/// <summary>Bound from "Health".</summary>
public sealed class HealthOptions
{
    public const string Section = "Health";

    /// <summary>
    /// A connection whose last successful inventory sync is older than this makes /health/ready Degraded. The sync runs
    /// every 15 minutes (Hangfire:InventorySyncCron), so one hour is four missed syncs in a row: a slow or failed sync
    /// does not flap the probe, a sync that stopped working does. Raise it with a rarer sync cron.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan SyncStaleAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long one check may take before it counts as failed, so a database that does not answer (SQL Server's connect
    /// timeout is 15 s) fails the probe in time instead of hanging it past the orchestrator's own timeout.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan CheckTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A Hangfire server whose heartbeat is older than this is not counted as running (Hangfire beats every 30 s).</summary>
    [Range(typeof(TimeSpan), "00:00:30", "01:00:00")]
    public TimeSpan HangfireServerStaleAfter { get; set; } = TimeSpan.FromMinutes(2);
}
