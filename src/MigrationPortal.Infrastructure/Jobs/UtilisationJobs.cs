using System.ComponentModel;
using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Utilisation;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Infrastructure.Jobs;

/// <summary>
/// Hangfire's entry points for utilisation: one recurring collection job per connection whose kind has a collector
/// ("collect-utilisation:{id}", kept by <see cref="ScheduleAllAsync"/> as inventory sync keeps its jobs), and the hourly
/// retention. Each can run twice, or on two nodes, without harm: the sample key makes a second write of a slot a no-op.
/// </summary>
public sealed class UtilisationJobs(CollectUtilisation collect, ApplyUtilisationRetention retention, IUtilisationCollectors collectors, PortalDbContext db,
    IRecurringJobManager recurring, JobStorage jobStorage, ILogger<UtilisationJobs> logger)
{
    public const string ScheduleJobId = "collect-utilisation";
    public const string ConnectionJobPrefix = ScheduleJobId + ":";
    public const string RetentionJobId = "utilisation-retention";

    [DisplayName("Utilisation: keep one recurring collection job per connection")]
    [DisableConcurrentExecution("utilisation-schedule", 30)]
    [AutomaticRetry(Attempts = 0)]
    public async Task ScheduleAllAsync(string cron, CancellationToken ct)
    {
        var connections = await db.Connections.Select(c => new { c.Id, c.Kind, c.Name }).ToListAsync(ct);
        var wanted = new HashSet<string>();
        foreach (var connection in connections)
        {
            if (collectors.Find(connection.Kind) is null)
            {
                logger.LogInformation("Utilisation of {Connection} is not collected: connections of kind {Kind} have no utilisation collector.", connection.Name, connection.Kind);
                continue;
            }

            var jobId = ConnectionJobPrefix + connection.Id;
            wanted.Add(jobId);
            var id = connection.Id;
            recurring.AddOrUpdate<UtilisationJobs>(jobId, j => j.CollectAsync(id, CancellationToken.None), cron);
        }

        using var storage = jobStorage.GetConnection();
        foreach (var stale in storage.GetRecurringJobs().Select(j => j.Id).Where(id => id.StartsWith(ConnectionJobPrefix, StringComparison.Ordinal) && !wanted.Contains(id)))
            recurring.RemoveIfExists(stale);
    }

    /// <summary>A connector fault is recorded on the connection by the use case, so the job succeeds and says so.</summary>
    [DisplayName("Collect utilisation of connection {0}")]
    [AutomaticRetry(Attempts = 0)]
    public async Task<string> CollectAsync(Guid connectionId, CancellationToken ct)
    {
        if (!await db.Connections.AnyAsync(c => c.Id == connectionId, ct))
        {
            recurring.RemoveIfExists(ConnectionJobPrefix + connectionId);
            return "The connection no longer exists; its collection job is removed.";
        }

        var r = await collect.HandleAsync(connectionId, ct);
        return r.Skipped ?? r.Error ?? $"{r.Hosts} hosts and {r.Vms} VMs read, {r.Added} new samples, {r.Unknown} not yet in the inventory, {r.Backfilled} backfilled.";
    }

    [DisplayName("Utilisation retention: fold 5-minute samples into hours, delete old hours")]
    [AutomaticRetry(Attempts = 0)]
    public async Task<string> ApplyRetentionAsync(CancellationToken ct)
    {
        var r = await retention.HandleAsync(ct);
        return $"{r.HourlyAdded} hourly samples added, {r.RawDeleted} 5-minute and {r.HourlyDeleted} hourly samples deleted.";
    }
}
